# pprof -raw output -> folded stacks (function names root first, the
# default sample type's value), summed per stack. Independent of prof-render:
# a location without a function name is "[binary]" when its mapping names
# a file, "<unknown>" otherwise, as pprof -traces shows them.
function basename(p,   n, a) { n = split(p, a, "/"); return a[n] }
function locname(text,   t) {
  # "NAME FILE:LINE s=START" (NAME may hold spaces), or nothing
  t = text
  sub(/ ?s=[^ ]*$/, "", t)
  if (t ~ /(^| )[^ ]*:-?[0-9]+$/) sub(/ ?[^ ]*:-?[0-9]+$/, "", t)
  sub(/^ +/, "", t)
  return t
}
/^Samples:/ { sec = "s"; getline; dcol = NF; for (i = 1; i <= NF; i++) if ($i ~ /\[dflt\]$/) dcol = i; next }
/^Locations/ { sec = "l"; next }
/^Mappings/ { sec = "m"; next }
sec == "s" && /^ *-?[0-9]+( +-?[0-9]+)*: / {
  split($0, halves, ":")
  split(halves[1], vals, " ")
  ns++; sval[ns] = vals[dcol]; sids[ns] = halves[2]
  next
}
sec == "l" && /^ *[0-9]+: 0x[0-9a-f]+/ {
  id = $1; sub(/:$/, "", id)
  m = ""; if ($3 ~ /^M=/) { m = $3; sub(/^M=/, "", m) }
  lmap[id] = m
  rest = $0; sub(/^ *[0-9]+: 0x[0-9a-f]+ ?/, "", rest); sub(/^M=[0-9]+ ?/, "", rest)
  nl[id] = 1; lname[id, 1] = locname(rest); cur = id
  next
}
sec == "l" && /^             [^ ]/ {
  rest = $0; sub(/^ +/, "", rest)
  nl[cur]++; lname[cur, nl[cur]] = locname(rest)
  next
}
sec == "m" && /^[0-9]+: / { id = $1; sub(/:$/, "", id); mfile[id] = ($3 ~ /^\// || $3 ~ /^\[/) ? $3 : ""; next }
END {
  for (s = 1; s <= ns; s++) {
    n = split(sids[s], ids, " ")
    stack = ""
    for (i = n; i >= 1; i--) {
      id = ids[i]
      for (k = nl[id]; k >= 1; k--) {
        name = lname[id, k]
        if (name == "") {
          f = mfile[lmap[id]]
          name = f == "" ? "<unknown>" : "[" basename(f) "]"
        }
        stack = stack (stack == "" ? "" : ";") name
      }
    }
    sum[stack] += sval[s]
  }
  for (st in sum) printf "%s %.0f\n", st, sum[st]
}
