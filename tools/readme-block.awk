# The lines of the README's ```sh block whose first line starts with `first`, for the
# scripts that run the README's commands as written (tools/check-release.sh,
# tools/dist.sh):   awk -v first='# the tarball' -f tools/readme-block.awk README.md
/^```/ { if (inside) { inside = 0; taking = 0 } else if ($0 == "```sh") { inside = 1; fresh = 1 }; next }
inside && fresh { fresh = 0; if (index($0, first) == 1) taking = 1 }
taking { print }
