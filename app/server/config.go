package main

import (
	"bufio"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/nookchat/nook/engine/groupserver"
)

// fileConfig is the config file: "key = value" lines, '#' comments, every
// key optional (packaging/server/nook-server.conf lists them with their
// defaults).
type fileConfig struct {
	maxConns         int
	handshakeTimeout time.Duration
	idleTimeout      time.Duration
	grace            time.Duration
	recordRate       float64
	recordBurst      int
	maxSubs          int
	liveBuffer       int
	maxBatch         int
	powBits          int
	maxBlobs         int
	maxBytes         int64
	retention        time.Duration
	postsPerDay      int // 0: the default (a quarter of the storage cap)
	postBurst        int
	logLevel         slog.Level
}

func defaultFileConfig() fileConfig {
	return fileConfig{
		maxConns: groupserver.DefaultMaxConns, handshakeTimeout: groupserver.DefaultHandshakeTimeout,
		idleTimeout: groupserver.DefaultIdleTimeout, grace: groupserver.DefaultGrace, recordRate: groupserver.DefaultRecordRate,
		recordBurst: groupserver.DefaultRecordBurst, maxSubs: groupserver.DefaultMaxSubs,
		liveBuffer: groupserver.DefaultLiveBuffer, maxBatch: groupserver.DefaultMaxBatch,
		powBits: groupserver.DefaultPoWBits, maxBlobs: groupserver.DefaultMaxBlobs,
		maxBytes: groupserver.DefaultMaxBytes, retention: groupserver.DefaultRetention,
		logLevel: slog.LevelInfo,
	}
}

func (c *fileConfig) load(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return fmt.Errorf("config %s:%d: want key = value", path, n)
		}
		if err := c.set(strings.TrimSpace(k), strings.TrimSpace(v)); err != nil {
			return fmt.Errorf("config %s:%d: %w", path, n, err)
		}
	}
	return sc.Err()
}

func (c *fileConfig) set(k, v string) error {
	var err error
	integer := func(dst *int) { *dst, err = strconv.Atoi(v) }
	duration := func(dst *time.Duration) { *dst, err = time.ParseDuration(v) }
	switch k {
	case "max_connections":
		integer(&c.maxConns)
	case "handshake_timeout":
		duration(&c.handshakeTimeout)
	case "idle_timeout":
		duration(&c.idleTimeout)
	case "grace":
		duration(&c.grace)
	case "posts_per_day":
		if v == "unlimited" {
			c.postsPerDay = groupserver.NoPostCap
		} else {
			integer(&c.postsPerDay)
		}
	case "post_burst":
		integer(&c.postBurst)
	case "record_rate":
		c.recordRate, err = strconv.ParseFloat(v, 64)
	case "record_burst":
		integer(&c.recordBurst)
	case "max_subscriptions":
		integer(&c.maxSubs)
	case "live_buffer":
		integer(&c.liveBuffer)
	case "token_batch":
		integer(&c.maxBatch)
	case "pow_bits":
		integer(&c.powBits)
	case "max_blobs":
		integer(&c.maxBlobs)
	case "max_bytes":
		c.maxBytes, err = parseBytes(v)
	case "retention":
		if v == "forever" {
			c.retention = -1
		} else {
			duration(&c.retention)
		}
	case "log_level":
		err = c.logLevel.UnmarshalText([]byte(v))
	default:
		return fmt.Errorf("unknown key %q", k)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", k, err)
	}
	return nil
}

// parseBytes reads a byte count with an optional KiB, MiB or GiB suffix.
func parseBytes(v string) (int64, error) {
	mult := int64(1)
	for suffix, m := range map[string]int64{"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30} {
		if strings.HasSuffix(v, suffix) {
			v, mult = strings.TrimSpace(strings.TrimSuffix(v, suffix)), m
			break
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a byte count", v)
	}
	return n * mult, nil
}

// apply copies the file settings into a server config.
func (c *fileConfig) apply(cfg *groupserver.Config) {
	cfg.MaxConns, cfg.HandshakeTimeout, cfg.IdleTimeout = c.maxConns, c.handshakeTimeout, c.idleTimeout
	cfg.RecordRate, cfg.RecordBurst, cfg.MaxSubs, cfg.LiveBuffer = c.recordRate, c.recordBurst, c.maxSubs, c.liveBuffer
	cfg.MaxBatch, cfg.MaxBlobs, cfg.MaxBytes, cfg.Retention = c.maxBatch, c.maxBlobs, c.maxBytes, c.retention
	cfg.Grace, cfg.PostsPerDay, cfg.PostBurst = c.grace, c.postsPerDay, c.postBurst
	cfg.PoWBits = c.powBits
	if c.powBits == 0 {
		cfg.PoWBits = groupserver.NoPoW
	}
}
