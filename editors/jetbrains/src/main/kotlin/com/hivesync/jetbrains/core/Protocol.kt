package com.hivesync.jetbrains.core

/**
 * hivesync-lsp's commands (workspace/executeCommand, apps/lsp/src/protocol.ts) and their results, read from the JSON
 * the server answers.
 */
object Commands {
    const val SYNC = "hivesync.sync"
    const val SEARCH = "hivesync.search"
    const val THREADS = "hivesync.threads"
    const val STATUS = "hivesync.status"
    const val CREATE_THREAD = "hivesync.thread.create"
    const val REPLY = "hivesync.thread.reply"
    const val RESOLVE = "hivesync.thread.resolve"
    const val OPEN_IN_BROWSER = "hivesync.thread.open"
    const val DOCUMENT = "hivesync.ai.document"
    const val RENAME = "hivesync.ai.rename"
    const val REFACTOR = "hivesync.ai.refactor"
    const val SEND_PREVIEW = "hivesync.preview.send"

    /** Every command the plugin sends. */
    val ALL = listOf(SYNC, SEARCH, THREADS, STATUS, CREATE_THREAD, REPLY, RESOLVE, OPEN_IN_BROWSER, DOCUMENT, RENAME, REFACTOR, SEND_PREVIEW)
}

/** hivesync.status's answer. */
data class Status(
    val server: String,
    val connected: Boolean,
    val user: String?,
    val project: String?,
    val route: String?,
) {
    /** The status bar text: the linked project and user, or why there is none. */
    fun text(): String = when {
        !connected -> "HiveSync: not connected"
        project == null -> "HiveSync: no linked project"
        else -> "HiveSync: $project · ${user ?: "?"}" + if (route == "agent") " (agent)" else ""
    }
}

/** A place in a file (0-based line and UTF-16 character, as LSP counts), with the project path and a text to show. */
data class Location(val uri: String, val path: String, val line: Int, val character: Int, val text: String) {
    /** `path:line` (1-based) — the list's label. */
    fun label(): String = "$path:${line + 1}"
}

/** Reads the server's answers. */
object Results {
    /** hivesync.status → Status. */
    fun status(json: String): Status {
        val o = obj(Json.parse(json))
        return Status(
            server = o["server"] as? String ?: "",
            connected = o["connected"] == true,
            user = o["user"] as? String,
            project = o["project"] as? String,
            route = o["route"] as? String,
        )
    }

    /** hivesync.search and hivesync.threads → their locations, in the server's order. */
    fun locations(json: String): List<Location> {
        val list = Json.parse(json) as? List<*> ?: throw IllegalArgumentException("expected a list: $json")
        return list.map { item ->
            val o = obj(item)
            val start = obj(obj(o["range"])["start"])
            Location(
                uri = o["uri"] as String,
                path = o["path"] as String,
                line = (start["line"] as Number).toInt(),
                character = (start["character"] as Number).toInt(),
                text = (o["text"] as? String ?: "").trim() + if (o["state"] == "resolved") " (resolved)" else "",
            )
        }
    }

    /** hivesync.threads → each thread's location with its id (for replying to the thread on a line). */
    fun threadIds(json: String): List<Pair<Location, String>> {
        val ids = (Json.parse(json) as List<*>).map { obj(it)["thread_id"] as String }
        return locations(json).zip(ids)
    }

    /** What to say once a command finished (null: nothing). */
    fun message(command: String, json: String?): String? {
        val value = json?.let { Json.parse(it) }
        val o = value as? Map<*, *>
        return when (command) {
            Commands.SYNC -> "HiveSync: synced " + ((o?.get("commit") as? String)?.take(7) ?: "the project")
            Commands.DOCUMENT, Commands.RENAME, Commands.REFACTOR -> {
                val files = (o?.get("files") as? List<*>)?.size ?: 0
                if (o?.get("applied") == true) "HiveSync: applied the suggestion to $files file" + (if (files == 1) "" else "s")
                else "HiveSync: the suggestion was not applied"
            }
            Commands.CREATE_THREAD -> "HiveSync: thread started"
            Commands.REPLY -> "HiveSync: reply sent"
            Commands.RESOLVE -> "HiveSync: thread resolved"
            Commands.SEND_PREVIEW -> "HiveSync preview ${o?.get("code")}: ${o?.get("url")}"
            else -> null
        }
    }

    private fun obj(value: Any?): Map<*, *> = value as? Map<*, *> ?: throw IllegalArgumentException("expected an object: $value")
}

/** LSP positions from an editor's text: LSP counts UTF-16 code units, which is what the JVM's String does. */
object Positions {
    /** The 0-based LSP position of character [offset] in [text]. */
    fun at(text: CharSequence, offset: Int): Pair<Int, Int> {
        var line = 0
        var lineStart = 0
        for (i in 0 until offset.coerceAtMost(text.length)) if (text[i] == '\n') {
            line++
            lineStart = i + 1
        }
        return line to (offset - lineStart)
    }

    /** An LSP Range over whole lines [firstLine]..[lastLine] (0-based) of [text], as a thread is anchored. */
    fun lines(text: CharSequence, firstLine: Int, lastLine: Int): Map<String, Any> {
        val lines = text.split('\n')
        val last = lines.getOrElse(lastLine) { "" }
        return mapOf(
            "start" to mapOf("line" to firstLine, "character" to 0),
            "end" to mapOf("line" to lastLine, "character" to last.length),
        )
    }
}
