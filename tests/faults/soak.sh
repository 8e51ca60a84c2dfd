#!/usr/bin/env bash
# soak.sh - placeholder, written next.
exit 0
