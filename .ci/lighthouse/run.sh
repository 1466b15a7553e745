#!/bin/sh
# Lighthouse on a production build with seeded posts: the home page and the
# longest post on it, mobile and desktop; the scores go to docs/lighthouse.md.
# Run through `go tool task lighthouse` (never by the test task).
set -eu
root=$(pwd)
lh="$root/.ci/lighthouse/node_modules/.bin/lighthouse"
chrome=$(command -v chromium || command -v chromium-browser || command -v google-chrome)
work=$(mktemp -d)
chmod o+x "$work" # the private PostgreSQL runs as its own user when started as root
port=${LIGHTHOUSE_PORT:-18480}
base="http://127.0.0.1:$port"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT INT TERM

go build -trimpath -o "$work/quire" ./cmd/quire
export QUIRE_DATA_DIR="$work/data" QUIRE_ADDR="127.0.0.1:$port" QUIRE_BASE_URL="$base"
echo "correct horse battery staple" | "$work/quire" createadmin --username admin --email admin@example.com
"$work/quire" seed --users 20 --posts 200
"$work/quire" serve >"$work/serve.log" 2>&1 &
pid=$!
i=0
until curl -fsS "$base/readyz" >/dev/null 2>&1; do
  i=$((i + 1)); [ $i -gt 120 ] && { cat "$work/serve.log"; exit 1; }; sleep 1
done

# The longest post linked from the home page.
post=""; most=0
for p in $(curl -fsS "$base/" | grep -o 'href="/posts/[^"]*"' | sed 's/href="//; s/"$//' | sort -u); do
  n=$(curl -fsS "$base$p" | wc -c)
  if [ "$n" -gt "$most" ]; then most=$n; post=$p; fi
done

load=$(cut -d' ' -f1 /proc/loadavg)

run() { # name url preset
  if [ "$3" = desktop ]; then preset="--preset=desktop"; else preset="--form-factor=mobile"; fi
  CHROME_PATH="$chrome" "$lh" "$2" $preset --quiet --output=json --output-path="$work/$1.json" \
    --only-categories=performance,accessibility,best-practices,seo \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu"
}
score() { node -e 'const r=require(process.argv[1]);const c=r.categories;console.log(["performance","accessibility","best-practices","seo"].map(k=>Math.round(c[k].score*100)).join(" | "))' "$work/$1.json"; }

{
  echo "# Lighthouse"
  echo
  echo "Written by \`go tool task lighthouse\` (Lighthouse 12.2.3 from .ci/lighthouse/package.json, headless Chromium,"
  echo "a production build with 200 seeded posts, on this machine). The long post is the longest linked from the"
  echo "home page ($most bytes). Target: 95 or more in each. Load when the run started: $load (1-minute"
  echo "average) on $(nproc) cores; performance (Total Blocking Time above all) moves with it."
  echo
  echo "| page | form factor | performance | accessibility | best practices | SEO |"
  echo "|---|---|---|---|---|---|"
  for page in home post; do
    url="$base/"; [ $page = post ] && url="$base$post"
    for ff in mobile desktop; do
      run "$page-$ff" "$url" $ff
      echo "| $page | $ff | $(score "$page-$ff") |"
    done
  done
  echo
  echo "What held a score under 100 (audits scored below 0.9, with their weight in the category):"
  echo
  for run in home-mobile home-desktop post-mobile post-desktop; do
    node -e 'const r=require(process.argv[1]);for(const [k,c] of Object.entries(r.categories))for(const a of c.auditRefs){const x=r.audits[a.id];if(a.weight>0&&x.score!==null&&x.score<0.9)console.log("- "+process.argv[2]+", "+k+": "+x.title+" ("+(x.displayValue||"score "+x.score)+", weight "+a.weight+")")}' "$work/$run.json" "$run"
  done
  echo
  echo "Last run: $(date -u +%Y-%m-%d)."
} > "$work/lighthouse.md"
mv "$work/lighthouse.md" docs/lighthouse.md
cat docs/lighthouse.md
