package com.hivesync.jetbrains.core

import java.io.File
import java.io.InputStream
import java.io.OutputStream
import java.util.concurrent.TimeUnit
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNull
import kotlin.test.assertTrue

/**
 * The plain-Kotlin part of the JetBrains plugin on the JVM, without the IDE: `main` runs every check and prints one
 * line per check. With `--server <projectDir>` it also finds the real hivesync-lsp from [ServerLocator] (the
 * project's node_modules/.bin, then $PATH), starts it with the built command line and talks LSP to it over stdio.
 * Compiled and run by tests/editors/jetbrains.test.ts with the npm kotlin-compiler.
 */
private val checks = linkedMapOf<String, () -> Unit>()

private fun check(name: String, body: () -> Unit) {
    checks[name] = body
}

private fun defineChecks() {
    check("JSON round trip") {
        val text = """{"a":[1,2.5,"x\"y\n\u00e9"],"b":{"c":null,"d":true}}"""
        val value = Json.parse(text)
        assertEquals(mapOf("a" to listOf(1.0, 2.5, "x\"y\né"), "b" to mapOf("c" to null, "d" to true)), value)
        assertEquals("""{"a":[1,2.5,"x\"y\né"],"b":{"c":null,"d":true}}""", Json.write(value))
    }

    check("settings map onto the server's names, blanks left to its defaults") {
        assertEquals(
            mapOf(
                "connection" to "auto", "threadsPollSeconds" to 30, "notifications" to true, "previewPlatform" to "web",
                "textActions" to false,
            ),
            HiveSyncSettings().toConfiguration(),
        )
        val s = HiveSyncSettings(serverUrl = " https://hive.example.com ", project = "express", threadsPollSeconds = 0, previewDirectory = "app")
        assertEquals(
            mapOf(
                "serverUrl" to "https://hive.example.com", "connection" to "auto", "project" to "express",
                "threadsPollSeconds" to 1, "notifications" to true, "previewDirectory" to "app", "previewPlatform" to "web",
                "textActions" to false,
            ),
            s.toConfiguration(),
        )
        assertEquals(s.toConfiguration(), s.configurationSection("hivesync"))
        assertEquals("express", s.configurationSection("hivesync.project"))
        assertNull(s.configurationSection("editor"))
    }

    check("settings problems are named") {
        assertEquals(emptyList(), HiveSyncSettings(serverUrl = "http://127.0.0.1:8080").problems())
        val problems = HiveSyncSettings(serverUrl = "hive.example.com", connection = "proxy", threadsPollSeconds = 0, previewPlatform = "tv").problems()
        assertEquals(4, problems.size, problems.toString())
        assertTrue(problems[0].startsWith("Server URL must start with http://"))
    }

    check("the server is found: configured path, project node_modules, then PATH") {
        val files = setOf("/work/app/node_modules/.bin/hivesync-lsp", "/usr/local/bin/hivesync-lsp", "/opt/lsp/main.js")
        val exists = { p: String -> p in files }
        val unix = Os.UNIX
        assertEquals(
            ServerCommand(listOf("/work/app/node_modules/.bin/hivesync-lsp"), "the project's node_modules"),
            ServerLocator.find(HiveSyncSettings(), "/work/app", "/usr/bin:/usr/local/bin", unix, exists),
        )
        assertEquals(
            ServerCommand(listOf("/usr/local/bin/hivesync-lsp"), "the PATH"),
            ServerLocator.find(HiveSyncSettings(), "/work/other", "/usr/bin:/usr/local/bin", unix, exists),
        )
        assertEquals(
            ServerCommand(listOf("/opt/node/bin/node", "/opt/lsp/main.js"), "the configured path"),
            ServerLocator.find(HiveSyncSettings(serverPath = "/opt/lsp/main.js", nodePath = "/opt/node/bin/node"), "/work/app", "", unix, exists),
        )
        // A configured path that is not there is an error, not a silent fallback to another server.
        assertNull(ServerLocator.find(HiveSyncSettings(serverPath = "/nope/hivesync-lsp"), "/work/app", "/usr/local/bin", unix, exists))
        assertNull(ServerLocator.find(HiveSyncSettings(), null, "/usr/bin", unix, exists))
        val win = setOf("C:\\Users\\ada\\AppData\\Roaming\\npm\\hivesync-lsp.cmd")
        assertEquals(
            ServerCommand(listOf("C:\\Users\\ada\\AppData\\Roaming\\npm\\hivesync-lsp.cmd"), "the PATH"),
            ServerLocator.find(HiveSyncSettings(), "C:\\work\\app", "C:\\Windows;C:\\Users\\ada\\AppData\\Roaming\\npm", Os.WINDOWS) { it in win },
        )
    }

    check("results are read: status, locations, messages") {
        val status = Results.status("""{"server":"http://h","connected":true,"user":"ada@x","project":"express","route":"agent","top":"/w"}""")
        assertEquals("HiveSync: express · ada@x (agent)", status.text())
        assertEquals("HiveSync: not connected", Results.status("""{"server":"http://h","connected":false,"user":null,"project":null,"route":null,"top":null}""").text())
        val found = Results.locations(
            """[{"uri":"file:///w/lib/response.js","range":{"start":{"line":923,"character":0},"end":{"line":923,"character":9}},"path":"lib/response.js","text":"  function sendfile(res) {"},
               {"thread_id":"t1","uri":"file:///w/lib/a.js","path":"lib/a.js","range":{"start":{"line":58,"character":0},"end":{"line":59,"character":20}},"state":"resolved","text":"Grace: Why? · 1 reply"}]""",
        )
        assertEquals(listOf("lib/response.js:924", "lib/a.js:59"), found.map { it.label() })
        assertEquals("function sendfile(res) {", found[0].text)
        assertEquals("Grace: Why? · 1 reply (resolved)", found[1].text)
        val threads = Results.threadIds(
            """[{"thread_id":"t1","uri":"file:///w/lib/a.js","path":"lib/a.js","range":{"start":{"line":58,"character":0},"end":{"line":59,"character":20}},"state":"open","text":"Grace: Why?"}]""",
        )
        assertEquals(listOf(58 to "t1"), threads.map { (location, id) -> location.line to id })
        assertEquals("HiveSync: synced 0123456", Results.message(Commands.SYNC, """{"commit":"0123456789"}"""))
        assertEquals("HiveSync: applied the suggestion to 2 files", Results.message(Commands.DOCUMENT, """{"applied":true,"files":["a","b"]}"""))
        assertEquals("HiveSync: the suggestion was not applied", Results.message(Commands.RENAME, """{"applied":false}"""))
        assertNull(Results.message(Commands.SEARCH, "[]"))
    }

    check("positions count UTF-16 units; a thread covers whole lines") {
        val text = "a\né😀x\nlast line"
        assertEquals(1 to 3, Positions.at(text, 5))
        assertEquals(
            mapOf("start" to mapOf("line" to 0, "character" to 0), "end" to mapOf("line" to 2, "character" to 9)),
            Positions.lines(text, 0, 2),
        )
    }
}

/** One JSON-RPC peer over a process's stdio, Content-Length framed. */
private class Peer(private val input: InputStream, private val output: OutputStream) {
    private var nextId = 1

    fun send(message: Map<String, Any?>) {
        val body = Json.write(mapOf("jsonrpc" to "2.0") + message).toByteArray(Charsets.UTF_8)
        output.write("Content-Length: ${body.size}\r\n\r\n".toByteArray(Charsets.US_ASCII))
        output.write(body)
        output.flush()
    }

    fun read(): Map<*, *> {
        var length = -1
        while (true) {
            val line = StringBuilder()
            while (true) {
                val b = input.read()
                require(b >= 0) { "the server closed its output" }
                if (b == '\n'.code) break
                if (b != '\r'.code) line.append(b.toChar())
            }
            if (line.isEmpty()) break
            val (name, value) = line.split(":", limit = 2)
            if (name.trim().equals("Content-Length", ignoreCase = true)) length = value.trim().toInt()
        }
        return Json.parse(String(input.readNBytes(length), Charsets.UTF_8)) as Map<*, *>
    }

    /** Sends a request and answers the server's own requests with [answer] until the response arrives. */
    fun request(method: String, params: Any?, answer: (Map<*, *>) -> Any?): Map<*, *> {
        val id = nextId++
        send(mapOf("id" to id, "method" to method, "params" to params))
        while (true) {
            val message = read()
            if (message["method"] != null && message["id"] != null) send(mapOf("id" to message["id"], "result" to answer(message)))
            else if (message["method"] == null && (message["id"] as? Number)?.toInt() == id) return message
        }
    }
}

/** Starts the real hivesync-lsp as the plugin would, and checks initialize, the settings and a command's result. */
private fun checkRealServer(projectDir: String) {
    val settings = HiveSyncSettings(serverUrl = "http://127.0.0.1:9", threadsPollSeconds = 5)
    val found = ServerLocator.find(settings, projectDir, System.getenv("PATH"))
        ?: throw AssertionError(ServerLocator.NOT_FOUND)
    assertEquals("the project's node_modules", found.foundBy)
    val process = ProcessBuilder(found.command).directory(File(projectDir)).redirectError(ProcessBuilder.Redirect.INHERIT).start()
    try {
        val peer = Peer(process.inputStream, process.outputStream)
        val answer = { request: Map<*, *> ->
            when (request["method"]) {
                "workspace/configuration" -> ((request["params"] as Map<*, *>)["items"] as List<*>).map {
                    settings.configurationSection((it as Map<*, *>)["section"] as? String)
                }
                else -> null
            }
        }
        val init = peer.request(
            "initialize",
            mapOf(
                "processId" to ProcessHandle.current().pid(),
                "rootUri" to File(projectDir).toURI().toString(),
                "capabilities" to mapOf("workspace" to mapOf("configuration" to true)),
                "initializationOptions" to settings.toConfiguration(),
            ),
            answer,
        )
        val result = init["result"] as? Map<*, *> ?: throw AssertionError("initialize failed: $init")
        val advertised = ((result["capabilities"] as Map<*, *>)["executeCommandProvider"] as Map<*, *>)["commands"] as List<*>
        assertTrue(advertised.containsAll(Commands.ALL), "the server advertises $advertised")
        assertEquals("hivesync-lsp", (result["serverInfo"] as Map<*, *>)["name"])
        peer.send(mapOf("method" to "initialized", "params" to emptyMap<String, Any>()))
        val status = peer.request("workspace/executeCommand", mapOf("command" to Commands.STATUS, "arguments" to emptyList<Any>()), answer)
        val parsed = Results.status(Json.write(status["result"]))
        assertEquals("http://127.0.0.1:9", parsed.server)
        assertFalse(parsed.connected)
        assertEquals("HiveSync: not connected", parsed.text())
        peer.request("shutdown", null, answer)
        peer.send(mapOf("method" to "exit"))
        assertTrue(process.waitFor(20, TimeUnit.SECONDS), "hivesync-lsp did not exit")
    } finally {
        process.destroyForcibly()
    }
}

fun main(args: Array<String>) {
    defineChecks()
    val server = args.indexOf("--server").takeIf { it >= 0 }?.let { args[it + 1] }
    if (server != null) check("the real hivesync-lsp, found and started as the plugin does: initialize, settings, status") { checkRealServer(server) }
    var failed = 0
    for ((name, body) in checks) {
        try {
            body()
            println("ok - $name")
        } catch (e: Throwable) {
            failed++
            println("not ok - $name: $e")
            e.printStackTrace(System.out)
        }
    }
    println("${checks.size - failed} passed, $failed failed")
    if (failed > 0) kotlin.system.exitProcess(1)
}
