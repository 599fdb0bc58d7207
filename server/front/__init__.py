"""The HTTP front: the processes that hold client connections and hand complete requests to the gateway.

Each HTTP worker is one event loop (uvloop) speaking HTTP/1.1 with the C parser of ``httptools``: a
connection costs a parser and a few attributes, never a thread, so slow and idle clients are cheap, and a
request reaches Python once, on the loop, with nothing between the socket and the gateway
(:mod:`server.gateway`). :mod:`server.front.connection` is one connection's protocol;
:mod:`server.front.site` is a worker's listening side (accepting, the connection cap, the header timeout,
draining); :mod:`server.front.supervisor` forks the workers from one listening socket and replaces one
that dies.
"""
