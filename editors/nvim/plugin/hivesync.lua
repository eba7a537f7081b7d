-- HiveSync for Neovim: the user commands exist from startup; the language server starts on setup() (lazy.nvim
-- calls it through `opts`), or on the first command.
if vim.g.loaded_hivesync then
  return
end
vim.g.loaded_hivesync = true
require('hivesync.commands').register()
