-- HiveSync for Neovim: a thin adapter over the HiveSync language server (hivesync-lsp). Threads arrive as
-- diagnostics, AI results as workspace edits, notifications as message requests; the commands are in commands.lua.
local config = require('hivesync.config')

local M = {}

-- One client per git working copy (its top directory).
local clients = {}

local function git_top(dir)
  local out = vim.fn.systemlist({ 'git', '-C', dir, 'rev-parse', '--show-toplevel' })
  if vim.v.shell_error ~= 0 or not out[1] or out[1] == '' then
    return nil
  end
  return out[1]
end

-- window/showMessageRequest through vim.ui.select. Neovim 0.7 answers a server request synchronously: a
-- vim.ui.select that calls back at once (the built-in one) gives the choice; an asynchronous one (telescope,
-- dressing) gets nil as the answer and the choice runs as the action's command afterwards.
local function show_message_request(_, params, ctx)
  local actions = params.actions or {}
  local message = params.message or ''
  if #actions == 0 then
    vim.notify(message, vim.log.levels.INFO)
    return vim.NIL
  end
  local chosen, answered = nil, false
  vim.ui.select(actions, {
    prompt = message,
    format_item = function(a)
      return a.title
    end,
  }, function(item)
    chosen = item
    answered = true
  end)
  if answered then
    return chosen or vim.NIL
  end
  return vim.NIL
end

local handlers = {
  ['window/showMessageRequest'] = show_message_request,
}

--- The HiveSync client of a buffer's working copy, starting it when needed; nil outside a git working copy.
function M.client_for(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == '' or vim.bo[bufnr].buftype ~= '' then
    return nil
  end
  local top = git_top(vim.fn.fnamemodify(name, ':p:h'))
  if not top then
    return nil
  end
  local id = clients[top]
  if id and vim.lsp.get_client_by_id(id) and not vim.lsp.client_is_stopped(id) then
    if not vim.lsp.buf_is_attached(bufnr, id) then
      vim.lsp.buf_attach_client(bufnr, id)
    end
    return vim.lsp.get_client_by_id(id)
  end
  local cmd = config.options.cmd
  if vim.fn.executable(cmd[1]) ~= 1 then
    vim.notify(
      'HiveSync: ' .. cmd[1] .. ' is not on the PATH: install HiveSync (npm install -g @hivesync/lsp) or set cmd',
      vim.log.levels.ERROR
    )
    return nil
  end
  local settings = config.server_settings()
  id = vim.lsp.start_client({
    name = 'hivesync',
    cmd = cmd,
    root_dir = top,
    workspace_folders = { { uri = vim.uri_from_fname(top), name = vim.fn.fnamemodify(top, ':t') } },
    init_options = settings,
    settings = { hivesync = settings },
    handlers = handlers,
  })
  if not id then
    return nil
  end
  clients[top] = id
  vim.lsp.buf_attach_client(bufnr, id)
  return vim.lsp.get_client_by_id(id)
end

--- A running HiveSync client (for commands run from a window that is not a file, such as the quickfix list).
function M.any_client()
  for _, id in pairs(clients) do
    if vim.lsp.get_client_by_id(id) and not vim.lsp.client_is_stopped(id) then
      return vim.lsp.get_client_by_id(id)
    end
  end
  return nil
end

--- setup({server_url = ..., ...}): options (see config.lua), then starts for files in git working copies.
function M.setup(opts)
  config.set(opts)
  local group = vim.api.nvim_create_augroup('hivesync', { clear = true })
  if config.options.autostart then
    vim.api.nvim_create_autocmd({ 'BufReadPost', 'BufNewFile' }, {
      group = group,
      callback = function(args)
        M.client_for(args.buf)
      end,
    })
    for _, buf in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_is_loaded(buf) then
        M.client_for(buf)
      end
    end
  end
end

return M
