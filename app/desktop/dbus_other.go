//go:build !linux

package main

const needsDBus = false
