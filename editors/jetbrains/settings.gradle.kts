rootProject.name = "hivesync-jetbrains"
