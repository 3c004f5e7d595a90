#!/bin/sh
# The generated half of the bad-input catalogue (tests/badinput.sh runs the
# committed files): large inputs written at test time, run on their own so
# that the two halves can run side by side.
BAD_PART=gen
. tests/badinput.sh
