vim9script
# Driven by tests/editors/vim.e2e.test.ts: Vim 9 (vim -Nu NONE -i NONE -Es) with editors/vim on the runtimepath,
# against the real server and language server. Writes what it saw as JSON to $HIVESYNC_TEST_OUT, then quits.
var out: dict<any> = {}

# What was seen so far, written after each step (a hung step still leaves the steps before it).
def Save(step: string)
  out.step = step
  writefile([json_encode(out)], $HIVESYNC_TEST_OUT)
enddef

def WaitFor(what: string, ms: number, Cond: func(): bool)
  var waited = 0
  while !Cond()
    if waited >= ms
      throw 'timed out waiting for ' .. what .. '; messages: ' .. string(hivesync#Messages()) .. '; log: ' .. string(hivesync#Log()[-5 :])
    endif
    sleep 100m
    waited += 100
  endwhile
enddef

def Run()
  &runtimepath = $HIVESYNC_VIM_PLUGIN .. ',' .. &runtimepath
  g:hivesync_server_url = $HIVESYNC_TEST_SERVER
  g:hivesync_threads_poll_seconds = 1
  runtime plugin/hivesync.vim
  var ws = $HIVESYNC_TEST_WORKSPACE
  Save('start')

  # The thread: a sign on its line, and its text in a popup.
  execute 'edit ' .. fnameescape(ws .. '/lib/application.js')
  var buf = bufnr()
  WaitFor('the thread sign', 60000, () => !empty(sign_getplaced(buf, {group: 'hivesync'})[0].signs))
  out.signs = map(sign_getplaced(buf, {group: 'hivesync'})[0].signs, (_, s) => ({lnum: s.lnum, name: s.name}))
  out.diagnostics = map(copy(hivesync#Diagnostics(buf)), (_, d) => ({range: d.range, message: d.message, severity: d.severity}))
  Save('sign')
  cursor(59, 1)
  hivesync#ShowThread()
  var popup = hivesync#PopupId()
  out.popup = {lines: getbufline(winbufnr(popup), 1, '$'), title: popup_getoptions(popup).title}

  Save('popup')
  # :HiveSyncDoc at sendfile's declaration: the buffer gets the edit (unsaved, undoable).
  execute 'edit ' .. fnameescape(ws .. '/lib/response.js')
  cursor(924, 1)
  execute 'HiveSyncDoc'
  WaitFor('the documented buffer', 180000, () => index(hivesync#Messages(), 'HiveSync: documented (u to undo)') >= 0)
  out.doc = {buffer: bufname(), modified: &modified, lines: getline(1, '$')}

  Save('doc')
  # :HiveSyncSearch into the quickfix list.
  execute 'HiveSyncSearch function sendfile('
  WaitFor('search results', 60000, () => !empty(getqflist()) || index(hivesync#Messages(), 'HiveSync: HiveSync search: function sendfile(: nothing found') >= 0)
  out.search = map(getqflist(), (_, i) => ({file: bufname(i.bufnr), lnum: i.lnum, col: i.col, text: i.text}))
  out.search_title = getqflist({title: 1}).title
  out.log = hivesync#Log()[-6 :]

  Save('search')
  # :HiveSyncThreads into the quickfix list.
  execute 'HiveSyncThreads'
  WaitFor('threads', 30000, () => getqflist({title: 1}).title == 'HiveSync threads')
  out.threads = map(getqflist(), (_, i) => ({file: bufname(i.bufnr), lnum: i.lnum, text: i.text}))
enddef

try
  Run()
  out.ok = true
  writefile([json_encode(out)], $HIVESYNC_TEST_OUT)
  qa!
catch
  out.error = v:exception .. ' at ' .. v:throwpoint
  writefile([json_encode(out)], $HIVESYNC_TEST_OUT)
  cquit!
endtry
