-- The :HiveSync* commands. Each one is a workspace/executeCommand of the language server (names in
-- apps/lsp/src/protocol.ts); Neovim only asks for input and shows results (quickfix list, vim.ui.*).
local M = {}

local function client()
  local c = require('hivesync').client_for(0) or require('hivesync').any_client()
  if not c then
    vim.notify('HiveSync: open a file of a git working copy linked to a HiveSync project', vim.log.levels.WARN)
  end
  return c
end

--- Runs a server command; on_result gets its result. Errors are shown by the server (window/showMessage).
function M.execute(c, command, arguments, on_result)
  c.request('workspace/executeCommand', { command = command, arguments = arguments }, function(err, result)
    if err then
      vim.notify('HiveSync: ' .. (err.message or tostring(err)), vim.log.levels.ERROR)
      return
    end
    if on_result then
      on_result(result)
    end
  end, vim.api.nvim_get_current_buf())
end

local function uri()
  return vim.uri_from_bufnr(0)
end

local function to_quickfix(title, items)
  local qf = {}
  for _, item in ipairs(items or {}) do
    table.insert(qf, {
      filename = vim.uri_to_fname(item.uri),
      lnum = item.range.start.line + 1,
      col = item.range.start.character + 1,
      text = item.text,
    })
  end
  vim.fn.setqflist({}, ' ', { title = title, items = qf })
  if #qf > 0 then
    vim.cmd('copen')
    vim.cmd('wincmd p')
  else
    vim.notify('HiveSync: ' .. title .. ': nothing found', vim.log.levels.INFO)
  end
end

-- The thread under the cursor: a HiveSync diagnostic on this line.
local function thread_here()
  local line = vim.api.nvim_win_get_cursor(0)[1] - 1
  for _, d in ipairs(vim.diagnostic.get(0)) do
    if d.source == 'HiveSync' and d.lnum <= line and (d.end_lnum or d.lnum) >= line then
      return d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
    end
  end
  vim.notify('HiveSync: no thread on this line', vim.log.levels.WARN)
  return nil
end

local function input(prompt, default, fn)
  vim.ui.input({ prompt = prompt, default = default }, function(text)
    if text and text ~= '' then
      fn(text)
    end
  end)
end

local function line_range(opts)
  if opts.range and opts.range > 0 then
    return { start = { line = opts.line1 - 1, character = 0 }, ['end'] = { line = opts.line2 - 1, character = 0 } }
  end
  local l = vim.api.nvim_win_get_cursor(0)[1] - 1
  return { start = { line = l, character = 0 }, ['end'] = { line = l, character = 0 } }
end

M.commands = {
  HiveSyncSync = {
    desc = "Sync the project's mirror on the server",
    fn = function()
      local c = client()
      if c then
        M.execute(c, 'hivesync.sync', {}, function(sync)
          vim.notify('HiveSync: synced at ' .. string.sub(sync.commit or '', 1, 7))
        end)
      end
    end,
  },
  HiveSyncDoc = {
    desc = 'Document the function at the cursor (AI); the edit is applied with undo',
    fn = function()
      local c = client()
      if c then
        local line = vim.api.nvim_win_get_cursor(0)[1] - 1
        M.execute(c, 'hivesync.ai.document', { uri(), line }, function(r)
          if r and r.applied then
            vim.notify('HiveSync: documented (u to undo)')
          end
        end)
      end
    end,
  },
  HiveSyncRename = {
    desc = "Rename the name at the cursor across the project (the server's rename)",
    nargs = '?',
    fn = function(opts)
      local c = client()
      if not c then
        return
      end
      local pos = vim.lsp.util.make_position_params().position
      local run = function(name)
        M.execute(c, 'hivesync.ai.rename', { uri(), pos, name })
      end
      if opts.args ~= '' then
        run(opts.args)
      else
        input('Rename ' .. vim.fn.expand('<cword>') .. ' to: ', vim.fn.expand('<cword>'), run)
      end
    end,
  },
  HiveSyncRefactor = {
    desc = 'Refactor the selected lines as you describe (language-model providers only)',
    range = true,
    fn = function(opts)
      local c = client()
      if c then
        local r = line_range(opts)
        input('Refactor how? ', '', function(text)
          M.execute(c, 'hivesync.ai.refactor', { uri(), r, text })
        end)
      end
    end,
  },
  HiveSyncSearch = {
    desc = 'Search the mirror (text, /regex/i, path:dir) into the quickfix list',
    nargs = '*',
    fn = function(opts)
      local c = client()
      if not c then
        return
      end
      local run = function(q)
        M.execute(c, 'hivesync.search', { q }, function(items)
          to_quickfix('HiveSync search: ' .. q, items)
        end)
      end
      if opts.args ~= '' then
        run(opts.args)
      else
        input('HiveSync search: ', vim.fn.expand('<cword>'), run)
      end
    end,
  },
  HiveSyncThreads = {
    desc = "The project's comment threads into the quickfix list (! for this file only)",
    bang = true,
    fn = function(opts)
      local c = client()
      if c then
        M.execute(c, 'hivesync.threads', opts.bang and { uri() } or {}, function(items)
          to_quickfix('HiveSync threads', items)
        end)
      end
    end,
  },
  HiveSyncComment = {
    desc = 'Start a thread on the line (or the range)',
    range = true,
    fn = function(opts)
      local c = client()
      if c then
        local r = line_range(opts)
        input('Comment: ', '', function(text)
          M.execute(c, 'hivesync.thread.create', { uri(), r, text })
        end)
      end
    end,
  },
  HiveSyncReply = {
    desc = 'Reply to the thread on this line',
    nargs = '*',
    fn = function(opts)
      local c = client()
      local id = c and thread_here()
      if id then
        if opts.args ~= '' then
          M.execute(c, 'hivesync.thread.reply', { id, opts.args })
        else
          input('Reply: ', '', function(text)
            M.execute(c, 'hivesync.thread.reply', { id, text })
          end)
        end
      end
    end,
  },
  HiveSyncResolve = {
    desc = 'Resolve the thread on this line',
    fn = function()
      local c = client()
      local id = c and thread_here()
      if id then
        M.execute(c, 'hivesync.thread.resolve', { id })
      end
    end,
  },
  HiveSyncOpen = {
    desc = 'Open the thread on this line in the browser',
    fn = function()
      local c = client()
      local id = c and thread_here()
      if id then
        M.execute(c, 'hivesync.thread.open', { id }, function(r)
          vim.notify('HiveSync: ' .. r.url)
        end)
      end
    end,
  },
  HiveSyncPreview = {
    desc = 'Build and send a device preview (optional folder)',
    nargs = '?',
    complete = 'dir',
    fn = function(opts)
      local c = client()
      if c then
        M.execute(c, 'hivesync.preview.send', { opts.args }, function(r)
          vim.notify('HiveSync preview: ' .. r.code .. '  ' .. r.url)
        end)
      end
    end,
  },
  HiveSyncStatus = {
    desc = 'Who you are signed in as, the linked project, and the route (direct or the local agent)',
    fn = function()
      local c = client()
      if c then
        M.execute(c, 'hivesync.status', {}, function(s)
          vim.notify(
            string.format(
              'HiveSync: %s, %s as %s, project %s (%s)',
              s.server,
              s.connected and 'connected' or 'not connected',
              s.user or '-',
              s.project or '-',
              s.route or '-'
            )
          )
        end)
      end
    end,
  },
}

-- Code actions whose command needs text from the user: asked here, then run on the server.
local function client_side_commands()
  vim.lsp.commands['hivesync.thread.reply'] = function(command, ctx)
    local c = vim.lsp.get_client_by_id(ctx.client_id)
    input('Reply: ', '', function(text)
      M.execute(c, 'hivesync.thread.reply', { command.arguments[1], text })
    end)
  end
  vim.lsp.commands['hivesync.thread.create'] = function(command, ctx)
    local c = vim.lsp.get_client_by_id(ctx.client_id)
    input('Comment: ', '', function(text)
      M.execute(c, 'hivesync.thread.create', { command.arguments[1], command.arguments[2], text })
    end)
  end
  vim.lsp.commands['hivesync.ai.rename'] = function(command, ctx)
    local c = vim.lsp.get_client_by_id(ctx.client_id)
    input('New name: ', vim.fn.expand('<cword>'), function(name)
      M.execute(c, 'hivesync.ai.rename', { command.arguments[1], command.arguments[2], name })
    end)
  end
  vim.lsp.commands['hivesync.ai.refactor'] = function(command, ctx)
    local c = vim.lsp.get_client_by_id(ctx.client_id)
    input('Refactor how? ', '', function(text)
      M.execute(c, 'hivesync.ai.refactor', { command.arguments[1], command.arguments[2], text })
    end)
  end
end

function M.register()
  for name, spec in pairs(M.commands) do
    vim.api.nvim_create_user_command(name, spec.fn, {
      desc = spec.desc,
      nargs = spec.nargs or 0,
      range = spec.range,
      bang = spec.bang,
      complete = spec.complete,
    })
  end
  client_side_commands()
end

return M
