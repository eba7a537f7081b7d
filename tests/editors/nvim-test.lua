-- Driven by tests/editors/nvim.e2e.test.ts: Neovim (headless, -u NONE) with editors/nvim on the runtimepath, against
-- the real server and language server. Writes what it saw as JSON to $HIVESYNC_TEST_OUT, then quits.
local out = {}
local function done(code)
  out.ok = code == 0
  local f = io.open(os.getenv('HIVESYNC_TEST_OUT'), 'w')
  f:write(vim.fn.json_encode(out))
  f:close()
  vim.cmd(code == 0 and 'qa!' or 'cquit!')
end

local function wait(what, ms, fn)
  if not vim.wait(ms, fn, 100) then
    error('timed out waiting for ' .. what)
  end
end

local ok, err = pcall(function()
  vim.opt.runtimepath:prepend(os.getenv('HIVESYNC_NVIM_PLUGIN'))
  vim.cmd('runtime plugin/hivesync.lua')
  out.notes = {}
  vim.notify = function(msg)
    table.insert(out.notes, msg)
  end
  require('hivesync').setup({ server_url = os.getenv('HIVESYNC_TEST_SERVER'), threads_poll_seconds = 1 })
  local ws = os.getenv('HIVESYNC_TEST_WORKSPACE')

  -- The thread as a diagnostic.
  vim.cmd('edit ' .. ws .. '/lib/application.js')
  local diags
  wait('the thread diagnostic', 60000, function()
    diags = vim.tbl_filter(function(d)
      return d.source == 'HiveSync'
    end, vim.diagnostic.get(0))
    return #diags > 0
  end)
  out.diagnostics = {}
  for _, d in ipairs(diags) do
    table.insert(
      out.diagnostics,
      { lnum = d.lnum, end_lnum = d.end_lnum, message = d.message, severity = d.severity, source = d.source }
    )
  end

  -- :HiveSyncDoc at sendfile's declaration: the buffer gets the edit (unsaved, undoable).
  vim.cmd('edit ' .. ws .. '/lib/response.js')
  local tick = vim.b.changedtick
  vim.api.nvim_win_set_cursor(0, { 924, 0 })
  vim.cmd('HiveSyncDoc')
  wait('the documented buffer', 180000, function()
    return vim.b.changedtick ~= tick and vim.tbl_contains(out.notes, 'HiveSync: documented (u to undo)')
  end)
  out.doc = {
    buffer = vim.fn.bufname('%'),
    modified = vim.bo.modified,
    lines = vim.api.nvim_buf_get_lines(0, 0, -1, false),
  }

  -- :HiveSyncSearch into the quickfix list.
  vim.cmd('HiveSyncSearch function sendfile(')
  wait('search results', 60000, function()
    return #vim.fn.getqflist() > 0
  end)
  out.search = {}
  for _, item in ipairs(vim.fn.getqflist()) do
    table.insert(out.search, { file = vim.fn.bufname(item.bufnr), lnum = item.lnum, col = item.col, text = item.text })
  end
  out.search_title = vim.fn.getqflist({ title = 1 }).title

  -- :HiveSyncThreads into the quickfix list.
  vim.cmd('HiveSyncThreads')
  wait('threads', 30000, function()
    return vim.fn.getqflist({ title = 1 }).title == 'HiveSync threads'
  end)
  out.threads = {}
  for _, item in ipairs(vim.fn.getqflist()) do
    table.insert(out.threads, { file = vim.fn.bufname(item.bufnr), lnum = item.lnum, text = item.text })
  end
end)
if not ok then
  out.error = tostring(err)
  done(1)
else
  done(0)
end
