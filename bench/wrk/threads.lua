-- Number each wrk thread so each can make addresses and pick tokens no other thread uses.
local counter = 0
local threads = {}
setup = function(thread)
  thread:set("thread_id", counter)
  counter = counter + 1
  threads[#threads + 1] = thread
end
