-- wrk script: POST a Telegram-shaped update with a fresh update_id every time, 100 chats.
-- Each wrk thread numbers its own ids (thread k sends k, k + T, k + 2T, ...).
local threads = {}
local counter = 0

function setup(thread)
  thread:set("first", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  step = tonumber(os.getenv("WRK_THREADS") or "2")
  offset = tonumber(os.getenv("WRK_FIRST_ID") or "1")
  counter = first - 1
end

function request()
  counter = counter + step
  local id = offset + counter
  local chat = 10000 + id % 100
  local body = string.format(
    '{"update_id":%d,"message":{"message_id":%d,"date":1700000000,' ..
    '"chat":{"id":%d,"type":"private","first_name":"Load"},' ..
    '"from":{"id":%d,"is_bot":false,"first_name":"Load"},"text":"message %d"}}',
    id, id, chat, chat, id)
  return wrk.format("POST", "/", {
    ["Content-Type"] = "application/json",
    ["X-Telegram-Bot-Api-Secret-Token"] = "bench",
  }, body)
end
