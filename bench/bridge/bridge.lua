-- Bridge bench script: answer, then bridge to the bench's callee gateway; the caller's Call-ID
-- goes along in an X- header so that the capture can pair the two legs of a call.
session:answer()
session:execute("bridge", "{sip_h_X-Bench-Call=${sip_call_id}}sofia/gateway/callee/2000")
session:hangup()
