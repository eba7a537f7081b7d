-- Defaults and validation of setup() options.
local M = {}

M.defaults = {
  -- The language server command (installed by `npm install` of HiveSync, or `npm install -g @hivesync/lsp`).
  cmd = { 'hivesync-lsp' },
  -- The HiveSync server; nil: the language server's default ($HIVESYNC_SERVER, else http://127.0.0.1:8080).
  server_url = nil,
  -- 'auto': through the local agent (hivesync agent, the desktop app) while one runs, else direct; 'direct'.
  connection = 'auto',
  -- The project to link when the git remote does not say (name or id).
  project = nil,
  -- Seconds between reads of the threads shown as diagnostics.
  threads_poll_seconds = 30,
  -- Show HiveSync notifications (vim.ui.select with their actions).
  notifications = true,
  -- Start the language server for files in a git working copy as they are opened.
  autostart = true,
}

M.options = vim.deepcopy(M.defaults)

--- Merges user options over the defaults, checking their types.
function M.set(opts)
  opts = opts or {}
  vim.validate({
    cmd = { opts.cmd, 'table', true },
    server_url = { opts.server_url, 'string', true },
    connection = { opts.connection, 'string', true },
    project = { opts.project, 'string', true },
    threads_poll_seconds = { opts.threads_poll_seconds, 'number', true },
    notifications = { opts.notifications, 'boolean', true },
    autostart = { opts.autostart, 'boolean', true },
  })
  M.options = vim.tbl_deep_extend('force', vim.deepcopy(M.defaults), opts)
  return M.options
end

--- The language server's settings (initializationOptions and workspace/configuration), never a credential.
function M.server_settings()
  local o = M.options
  local s = {
    connection = o.connection,
    threadsPollSeconds = o.threads_poll_seconds,
    notifications = o.notifications,
  }
  if o.server_url then
    s.serverUrl = o.server_url
  end
  if o.project then
    s.project = o.project
  end
  return s
end

return M
