vim9script
# HiveSync for Vim 9 (needs +channel with the 'lsp' mode: Vim 9.0.0xxx or later). Options, all optional:
#   g:hivesync_server_url   the HiveSync server (default: $HIVESYNC_SERVER, else http://127.0.0.1:8080)
#   g:hivesync_connection   'auto' (through the local agent while one runs) or 'direct'
#   g:hivesync_project      the project to link when the git remote does not say
#   g:hivesync_cmd          the language server command (default ['hivesync-lsp'])
#   g:hivesync_threads_poll_seconds, g:hivesync_notifications, g:hivesync_popup_on_hold
if exists('g:loaded_hivesync') || !has('channel') || v:versionlong < 9000000
  finish
endif
g:loaded_hivesync = 1
g:hivesync_progress = ''

augroup hivesync
  autocmd!
  autocmd BufReadPost,BufNewFile * if get(g:, 'hivesync_autostart', 1) | hivesync#Attach(str2nr(expand('<abuf>'))) | endif
  autocmd TextChanged,InsertLeave * hivesync#Changed(bufnr())
  autocmd CursorHold * if get(g:, 'hivesync_popup_on_hold', 1) | hivesync#ShowThread(true) | endif
  autocmd VimLeavePre * hivesync#StopAll()
augroup END

command! HiveSyncSync hivesync#Sync()
command! HiveSyncDoc hivesync#Doc()
command! -nargs=* HiveSyncSearch hivesync#Search(<q-args>)
command! -bang HiveSyncThreads hivesync#Threads(<bang>0 != 0)
command! HiveSyncThread hivesync#ShowThread()
command! -range -nargs=* HiveSyncComment hivesync#Comment(<line1>, <line2>, <q-args>)
command! -nargs=* HiveSyncReply hivesync#ReplyToThread(<q-args>)
command! HiveSyncResolve hivesync#Resolve()
command! HiveSyncOpen hivesync#OpenInBrowser()
command! -nargs=? HiveSyncRename hivesync#Rename(<q-args>)
command! -range HiveSyncRefactor hivesync#Refactor(<line1>, <line2>)
command! -nargs=? -complete=dir HiveSyncPreview hivesync#Preview(<q-args>)
command! HiveSyncStatus hivesync#Status()
