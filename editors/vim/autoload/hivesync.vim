vim9script
# HiveSync for Vim 9: a thin client of the HiveSync language server (hivesync-lsp) over Vim's own LSP channel
# mode (job_start with in_mode/out_mode 'lsp'). Threads come as diagnostics and show as signs with a popup; AI
# results come as workspace/applyEdit; the commands are workspace/executeCommand calls (apps/lsp/src/protocol.ts).

# One server per git working copy: top directory -> {job, ch, ready, pending, version}.
var servers: dict<dict<any>> = {}
# Diagnostics by file name.
var diagnostics: dict<list<dict<any>>> = {}
# What the server said (window/showMessage), newest last; the log (window/logMessage).
var messages: list<string> = []
var log: list<string> = []
var popup_id = 0

sign_define('HiveSyncThread', {text: '»', texthl: 'Todo', linehl: ''})
sign_define('HiveSyncResolved', {text: '·', texthl: 'Comment', linehl: ''})

def Option(name: string, default: any): any
  return get(g:, 'hivesync_' .. name, default)
enddef

# The settings sent as initializationOptions and answered to workspace/configuration; never a credential.
def Settings(): dict<any>
  var s: dict<any> = {
    connection: Option('connection', 'auto'),
    threadsPollSeconds: Option('threads_poll_seconds', 30),
    notifications: Option('notifications', true) ? true : false,
  }
  if !empty(Option('server_url', ''))
    s.serverUrl = Option('server_url', '')
  endif
  if !empty(Option('project', ''))
    s.project = Option('project', '')
  endif
  return s
enddef

def GitTop(dir: string): string
  var out = systemlist('git -C ' .. shellescape(dir) .. ' rev-parse --show-toplevel')
  return v:shell_error == 0 && !empty(out) ? out[0] : ''
enddef

def Uri(fname: string): string
  var path = fnamemodify(fname, ':p')
  var encoded = substitute(path, '\([^A-Za-z0-9_.~/-]\)', '\=printf("%%%02X", char2nr(submatch(1)))', 'g')
  return 'file://' .. encoded
enddef

def FromUri(uri: string): string
  var path = substitute(uri, '^file://', '', '')
  return substitute(path, '%\(\x\x\)', '\=nr2char(str2nr(submatch(1), 16))', 'g')
enddef

def ServerOf(bufnr: number): dict<any>
  var name = bufname(bufnr)
  if name == '' || getbufvar(bufnr, '&buftype') != ''
    return {}
  endif
  var top = GitTop(fnamemodify(name, ':p:h'))
  if top == ''
    return {}
  endif
  if !has_key(servers, top) || job_status(servers[top].job) != 'run'
    Start(top)
  endif
  return get(servers, top, {})
enddef

# Any running server (for commands run from the quickfix window).
def AnyServer(): dict<any>
  for s in values(servers)
    if job_status(s.job) == 'run'
      return s
    endif
  endfor
  return {}
enddef

def Start(top: string)
  var cmd = Option('cmd', ['hivesync-lsp'])
  if !executable(cmd[0])
    Say('HiveSync: ' .. cmd[0] .. ' is not on the PATH: install HiveSync (npm install -g @hivesync/lsp) or set g:hivesync_cmd')
    return
  endif
  var server: dict<any> = {top: top, ready: false, pending: [], versions: {}, open: {}, waiting: {}}
  server.job = job_start(cmd, {
    in_mode: 'lsp',
    out_mode: 'lsp',
    err_mode: 'nl',
    out_cb: (ch, msg) => OnMessage(server, msg),
    err_cb: (ch, line) => add(log, 'stderr: ' .. line),
    # The server's last words arrive before close_cb (exit_cb can come first).
    close_cb: (ch) => add(log, 'hivesync-lsp closed its output'),
  })
  server.ch = job_getchannel(server.job)
  servers[top] = server
  var folder = Uri(top)
  Request(server, {
    method: 'initialize',
    params: {
      processId: getpid(),
      rootUri: folder,
      workspaceFolders: [{uri: folder, name: fnamemodify(top, ':t')}],
      initializationOptions: Settings(),
      clientInfo: {name: 'vim', version: string(v:versionlong)},
      capabilities: {
        window: {workDoneProgress: true, showDocument: {support: true}},
        workspace: {
          configuration: true,
          applyEdit: true,
          workspaceEdit: {documentChanges: true},
          executeCommand: {},
          symbol: {},
        },
        textDocument: {publishDiagnostics: {}, codeAction: {}, rename: {prepareSupport: true}},
      },
    },
  }, (resp) => Initialized(server, resp))
enddef

def Initialized(server: dict<any>, resp: dict<any>)
  ch_sendexpr(server.ch, {method: 'initialized', params: {}})
  server.ready = true
  for F in server.pending
    call(F, [])
  endfor
  server.pending = []
enddef

def WhenReady(server: dict<any>, F: func)
  if server.ready
    F()
  else
    add(server.pending, F)
  endif
enddef

# Tells the server about a buffer (didOpen), once per buffer.
export def Attach(bufnr: number)
  var server = ServerOf(bufnr)
  if empty(server)
    return
  endif
  var uri = Uri(bufname(bufnr))
  if has_key(server.open, uri)
    return
  endif
  server.open[uri] = bufnr
  server.versions[uri] = 1
  WhenReady(server, () => ch_sendexpr(server.ch, {
    method: 'textDocument/didOpen',
    params: {textDocument: {
      uri: uri,
      languageId: getbufvar(bufnr, '&filetype'),
      version: 1,
      text: join(getbufline(bufnr, 1, '$'), "\n") .. "\n",
    }},
  }))
enddef

# Sends a changed buffer's whole text (didChange).
export def Changed(bufnr: number)
  var server = ServerOf(bufnr)
  var uri = Uri(bufname(bufnr))
  if empty(server) || !has_key(server.open, uri) || !server.ready
    return
  endif
  server.versions[uri] += 1
  ch_sendexpr(server.ch, {
    method: 'textDocument/didChange',
    params: {
      textDocument: {uri: uri, version: server.versions[uri]},
      contentChanges: [{text: join(getbufline(bufnr, 1, '$'), "\n") .. "\n"}],
    },
  })
enddef

def Say(text: string)
  add(messages, text)
  echomsg text
enddef

# Sends a request; Done gets the response. Vim hands a one-time callback the next message with the request's id,
# and the server numbers its own requests (applyEdit, configuration…) from 0 too: a server request that arrives in
# the callback is handled as one, and the response is then taken from out_cb by its id.
def Request(server: dict<any>, msg: dict<any>, Done: func)
  var holder: dict<any> = {id: -1}
  var sent = ch_sendexpr(server.ch, msg, {callback: (ch, m) => {
    if has_key(m, 'method')
      server.waiting[holder.id] = Done
      OnMessage(server, m)
    else
      Done(m)
    endif
  }})
  holder.id = sent.id
enddef

def Reply(server: dict<any>, id: any, result: any)
  ch_sendexpr(server.ch, {id: id, result: result})
enddef

def OnMessage(server: dict<any>, msg: dict<any>)
  var method = get(msg, 'method', '')
  if method == '' && has_key(msg, 'id') && has_key(server.waiting, msg.id)
    var Done = remove(server.waiting, msg.id)
    Done(msg)
  elseif method == 'textDocument/publishDiagnostics'
    ShowDiagnostics(msg.params)
  elseif method == 'window/showMessage'
    Say(msg.params.message)
  elseif method == 'window/logMessage'
    add(log, msg.params.message)
  elseif method == '$/progress'
    var value = msg.params.value
    g:hivesync_progress = value.kind == 'end' ? '' : get(value, 'title', get(g:, 'hivesync_progress', '')) .. (has_key(value, 'message') ? ': ' .. value.message : '')
  elseif method == 'workspace/configuration'
    Reply(server, msg.id, map(copy(msg.params.items), (_, v) => Settings()))
  elseif method == 'window/workDoneProgress/create' || method == 'client/registerCapability'
    Reply(server, msg.id, v:null)
  elseif method == 'workspace/applyEdit'
    Reply(server, msg.id, ApplyEdit(server, msg.params.edit))
  elseif method == 'window/showMessageRequest'
    MessageRequest(server, msg)
  elseif method == 'window/showDocument'
    Reply(server, msg.id, {success: ShowDocument(msg.params)})
  elseif has_key(msg, 'id') && method != ''
    ch_sendexpr(server.ch, {id: msg.id, error: {code: -32601, message: 'not supported by the Vim plugin: ' .. method}})
  endif
enddef

def ShowDiagnostics(params: dict<any>)
  var fname = FromUri(params.uri)
  diagnostics[fname] = params.diagnostics
  var bufnr = bufnr(fname)
  if bufnr < 0
    return
  endif
  sign_unplace('hivesync', {buffer: bufnr})
  for d in params.diagnostics
    sign_place(0, 'hivesync', d.severity == 4 ? 'HiveSyncResolved' : 'HiveSyncThread', bufnr, {lnum: d.range.start.line + 1})
  endfor
enddef

# The HiveSync diagnostics of a buffer (for tests and statuslines).
export def Diagnostics(bufnr: number): list<dict<any>>
  return get(diagnostics, fnamemodify(bufname(bufnr), ':p'), [])
enddef

# What the server said (window/showMessage), and its log lines.
export def Messages(): list<string>
  return messages
enddef

export def Log(): list<string>
  return log
enddef

def ThreadHere(): dict<any>
  var line = line('.') - 1
  for d in Diagnostics(bufnr())
    if d.range.start.line <= line && line <= d.range.end.line
      return d
    endif
  endfor
  return {}
enddef

# A popup at the cursor with the text of the thread on this line.
export def ShowThread(quiet: bool = false)
  var d = ThreadHere()
  if empty(d)
    if !quiet
      Say('HiveSync: no thread on this line')
    endif
    return
  endif
  popup_close(popup_id)
  # One line: splitting on ' · ' depends on 'encoding' (latin1 under -u NONE without a UTF-8 locale).
  popup_id = popup_atcursor([d.message], {
    title: ' HiveSync thread ',
    border: [],
    padding: [0, 1, 0, 1],
    highlight: 'Pmenu',
    moved: 'any',
  })
enddef

export def PopupId(): number
  return popup_id
enddef

# Applies a WorkspaceEdit to the buffers (loading files that are not open), as one undo step per buffer.
def ApplyEdit(server: dict<any>, edit: dict<any>): dict<any>
  var changes = get(edit, 'documentChanges', [])
  for [uri, edits] in items(get(edit, 'changes', {}))
    add(changes, {textDocument: {uri: uri}, edits: edits})
  endfor
  for change in changes
    if !has_key(change, 'textDocument')
      return {applied: false, failureReason: 'the Vim plugin does not create or delete files'}
    endif
  endfor
  for change in changes
    var fname = FromUri(change.textDocument.uri)
    var bufnr = bufadd(fname)
    bufload(bufnr)
    setbufvar(bufnr, '&buflisted', true)
    var sorted = sort(copy(change.edits), (a, b) => a.range.start.line != b.range.start.line ? b.range.start.line - a.range.start.line : b.range.start.character - a.range.start.character)
    for e in sorted
      ApplyTextEdit(bufnr, e)
    endfor
    Changed(bufnr)
  endfor
  return {applied: true}
enddef

def ApplyTextEdit(bufnr: number, e: dict<any>)
  var count = len(getbufline(bufnr, 1, '$'))
  var s = e.range.start
  var t = e.range['end']
  var first = s.line < count ? getbufline(bufnr, s.line + 1)[0] : ''
  var last = t.line < count ? getbufline(bufnr, t.line + 1)[0] : ''
  var text = strcharpart(first, 0, s.character) .. e.newText .. strcharpart(last, t.character)
  var lines = split(text, "\n", true)
  # Lines s.line .. t.line (those that exist) become `lines`; past the end, the empty line after the last newline.
  var upto = min([t.line, count - 1])
  if t.line >= count && !empty(lines) && lines[-1] == ''
    remove(lines, -1)
  endif
  if s.line < count
    deletebufline(bufnr, s.line + 1, upto + 1)
  endif
  if !empty(lines)
    appendbufline(bufnr, s.line, lines)
  endif
  if len(getbufline(bufnr, 1, '$')) > 1 && count == 1 && getbufline(bufnr, '$')[0] == '' && s.line == 0
    deletebufline(bufnr, '$')
  endif
enddef

def MessageRequest(server: dict<any>, msg: dict<any>)
  var actions = get(msg.params, 'actions', [])
  add(messages, msg.params.message)
  if empty(actions)
    echomsg msg.params.message
    Reply(server, msg.id, v:null)
    return
  endif
  popup_menu(map(copy(actions), (_, a) => a.title), {
    title: ' ' .. msg.params.message .. ' ',
    callback: (id, choice) => Reply(server, msg.id, choice > 0 ? actions[choice - 1] : v:null),
  })
enddef

def ShowDocument(params: dict<any>): bool
  if get(params, 'external', false)
    Say('HiveSync: ' .. params.uri)
    return false
  endif
  execute 'edit ' .. fnameescape(FromUri(params.uri))
  if has_key(params, 'selection')
    cursor(params.selection.start.line + 1, params.selection.start.character + 1)
  endif
  return true
enddef

# Runs a server command; Done gets its result. A failure is shown (the server says why).
export def Execute(command: string, arguments: list<any>, Done: func = (r) => 0)
  var server = ServerOf(bufnr())
  if empty(server)
    server = AnyServer()
  endif
  if empty(server)
    Say('HiveSync: open a file of a git working copy linked to a HiveSync project')
    return
  endif
  WhenReady(server, () => Request(server, {
    method: 'workspace/executeCommand',
    params: {command: command, arguments: arguments},
  }, (resp) => Result(resp, Done)))
enddef

def Result(resp: dict<any>, Done: func)
  add(log, 'answer: ' .. strpart(string(resp), 0, 300))
  if has_key(resp, 'error')
    Say('HiveSync: ' .. resp.error.message)
    return
  endif
  Done(get(resp, 'result', v:null))
enddef

def ToQuickfix(title: string, found: any)
  var items: list<dict<any>> = []
  for m in (type(found) == v:t_list ? found : [])
    add(items, {
      filename: FromUri(m.uri),
      lnum: m.range.start.line + 1,
      col: m.range.start.character + 1,
      text: m.text,
    })
  endfor
  setqflist([], ' ', {title: title, items: items})
  if empty(items)
    Say('HiveSync: ' .. title .. ': nothing found')
  else
    copen
    wincmd p
  endif
enddef

def LineRange(line1: number, line2: number): dict<any>
  return {start: {line: line1 - 1, character: 0}, end: {line: line2 - 1, character: 0}}
enddef

# The commands (plugin/hivesync.vim defines them).

export def Sync()
  Execute('hivesync.sync', [], (s) => Say('HiveSync: synced at ' .. strpart(get(s, 'commit', ''), 0, 7)))
enddef

export def Doc()
  Execute('hivesync.ai.document', [Uri(bufname()), line('.') - 1], (r) => get(r, 'applied', false) ? Say('HiveSync: documented (u to undo)') : 0)
enddef

export def Search(query: string)
  var q = query == '' ? input('HiveSync search: ', expand('<cword>')) : query
  if q != ''
    Execute('hivesync.search', [q], (found) => ToQuickfix('HiveSync search: ' .. q, found))
  endif
enddef

export def Threads(thisFile: bool)
  Execute('hivesync.threads', thisFile ? [Uri(bufname())] : [], (found) => ToQuickfix('HiveSync threads', found))
enddef

export def Comment(line1: number, line2: number, text: string)
  var body = text == '' ? input('Comment: ') : text
  if body != ''
    Execute('hivesync.thread.create', [Uri(bufname()), LineRange(line1, line2), body])
  endif
enddef

export def ReplyToThread(text: string)
  var d = ThreadHere()
  if empty(d)
    Say('HiveSync: no thread on this line')
    return
  endif
  var body = text == '' ? input('Reply: ') : text
  if body != ''
    Execute('hivesync.thread.reply', [d.code, body])
  endif
enddef

export def Resolve()
  var d = ThreadHere()
  if !empty(d)
    Execute('hivesync.thread.resolve', [d.code])
  endif
enddef

export def OpenInBrowser()
  var d = ThreadHere()
  if !empty(d)
    Execute('hivesync.thread.open', [d.code], (r) => Say('HiveSync: ' .. r.url))
  endif
enddef

export def Rename(name: string)
  var newName = name == '' ? input('Rename ' .. expand('<cword>') .. ' to: ', expand('<cword>')) : name
  if newName != ''
    Execute('hivesync.ai.rename', [Uri(bufname()), {line: line('.') - 1, character: charcol('.') - 1}, newName])
  endif
enddef

export def Refactor(line1: number, line2: number)
  var how = input('Refactor how? ')
  if how != ''
    Execute('hivesync.ai.refactor', [Uri(bufname()), LineRange(line1, line2), how])
  endif
enddef

export def Preview(dir: string)
  Execute('hivesync.preview.send', [dir], (r) => Say('HiveSync preview: ' .. r.code .. '  ' .. r.url))
enddef

export def Status()
  Execute('hivesync.status', [], (s) => Say(printf('HiveSync: %s, %s as %s, project %s (%s)',
    s.server, s.connected ? 'connected' : 'not connected', s.user ?? '-', s.project ?? '-', s.route ?? '-')))
enddef

# Stops every server (VimLeave).
export def StopAll()
  for s in values(servers)
    if job_status(s.job) == 'run'
      ch_sendexpr(s.ch, {method: 'exit'})
      job_stop(s.job)
    endif
  endfor
enddef
