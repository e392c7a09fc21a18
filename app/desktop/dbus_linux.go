package main

// needsDBus: the Linux (and BSD) system tray talks StatusNotifierItem over
// D-Bus.
const needsDBus = true
