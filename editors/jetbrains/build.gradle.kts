// The HiveSync plugin for JetBrains IDEs, on LSP4IJ. `./gradlew buildPlugin` writes the Marketplace zip to
// build/distributions/. Not built on the machines this was written on (no Gradle distribution or IntelliJ SDK
// reachable there): see README.md.
import org.jetbrains.kotlin.gradle.dsl.JvmTarget

plugins {
    id("org.jetbrains.kotlin.jvm") version "2.1.20"
    id("org.jetbrains.intellij.platform") version "2.11.0"
}

group = "com.hivesync"
version = "0.1.0"

repositories {
    mavenCentral()
    intellijPlatform {
        defaultRepositories()
    }
}

dependencies {
    intellijPlatform {
        intellijIdeaCommunity(providers.gradleProperty("platformVersion"))
        // LSP4IJ from the Marketplace: on the compile classpath and in runIde's sandbox; plugin.xml's <depends> makes
        // the IDE install it. Its own lsp4j is used (never add org.eclipse.lsp4j here: two copies clash).
        plugin("com.redhat.devtools.lsp4ij:${providers.gradleProperty("lsp4ijVersion").get()}")
        pluginVerifier()
        zipSigner()
    }
    // The plain-Kotlin core's checks (src/test) use kotlin.test; npm test runs them with the npm kotlin-compiler.
    testImplementation(kotlin("test"))
}

kotlin {
    compilerOptions {
        jvmTarget.set(JvmTarget.JVM_17)
    }
}

java {
    sourceCompatibility = JavaVersion.VERSION_17
    targetCompatibility = JavaVersion.VERSION_17
}

intellijPlatform {
    buildSearchableOptions = false
    pluginConfiguration {
        ideaVersion {
            sinceBuild = providers.gradleProperty("pluginSinceBuild")
            untilBuild = provider { null }
        }
    }
    pluginVerification {
        ides {
            recommended()
        }
    }
}

// The core's checks are a main(), not JUnit tests: `./gradlew coreChecks` runs them on the JVM.
tasks.register<JavaExec>("coreChecks") {
    group = "verification"
    description = "Runs the plain-Kotlin core's checks (src/test/kotlin/.../core/CoreTest.kt)."
    classpath = sourceSets["test"].runtimeClasspath
    mainClass.set("com.hivesync.jetbrains.core.CoreTestKt")
}
