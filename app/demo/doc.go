// Command nook-demo shows Nook working end to end on one computer with no
// internet, in one command (make demo):
//
//  1. it starts a private Tor network on 127.0.0.1 (engine/tor/tortest: one
//     directory authority and four relays from Debian's tor) and writes its
//     client settings to private-network.torrc, the file bin/nook and
//     bin/nook-server read with --tor-private-network;
//  2. it starts a group server, bin/nook-server, in that network;
//  3. it prepares two password-less profiles, "Maya" and "Jonas", in two
//     data folders: two engines, each with its own tor, exchange an
//     in-person invite, become contacts, write to each other, and join a
//     group "Demo group" on the server, where both post;
//  4. it opens two app windows, bin/nook --data-dir <maya|jonas>
//     --tor-private-network private-network.torrc, on $DISPLAY (or on an Xvfb
//     display of its own when there is none), and waits. Ctrl+C stops every
//     process it started, by PID: the apps, the server and every tor.
//
// Usage:
//
//	nook-demo [--dir DIR] [--bin DIR] [--headless-screenshots DIR] [--timeout D]
//
// Each run gets a new folder under --dir (default build/demo) holding the
// data folders, the settings file and every log; nothing is removed.
// --headless-screenshots DIR runs on an Xvfb display of its own, takes
// screenshots into DIR once the windows are up and the apps are on the
// network, and exits. --timeout bounds everything before the demo waits for
// Ctrl+C (and so a whole headless run).
//
// Every tor runs on the private network only, started through the code
// paths that enforce it (tortest for the network, tor.Config.PrivateNetwork
// in the engines, the apps and the server). The demo samples the sockets of
// every tor it started, directly or through the apps and the server, and
// checks them once more with ss -tnp before it stops: it reports any
// connection outside 127.0.0.0/8.
//
// The demo runs on Linux (it uses /proc, process groups, Xvfb and ss).
package main
