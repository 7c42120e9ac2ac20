#!/usr/bin/env bash
# Vendors the front-end packages from npm into web/static, so that the
# service needs no internet at run time. Run it to upgrade them; commit the
# result. Versions are pinned here and in web/static/THIRD-PARTY.md.
set -euo pipefail
GOVUK=6.6.0
ECHARTS=5.6.0
SASS=1.108.2

here=$(cd "$(dirname "$0")" && pwd)
static="$here/../static"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund --ignore-scripts "govuk-frontend@$GOVUK" "echarts@$ECHARTS" "sass@$SASS" >/dev/null

# sass resolves pkg: imports from the stylesheet's folder, so build it here.
cp "$here/site.scss" .
npx sass --pkg-importer=node --style=compressed --no-source-map site.scss "$static/govuk/govuk-frontend.min.css"
cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js "$static/govuk/"
# The npm package carries no licence file; static/govuk/LICENSE.txt is the
# MIT licence from the govuk-frontend repository.
cp node_modules/echarts/dist/echarts.min.js "$static/echarts/"
cp node_modules/echarts/LICENSE "$static/echarts/LICENSE"
cp node_modules/echarts/NOTICE "$static/echarts/NOTICE" 2>/dev/null || true
echo "vendored govuk-frontend $GOVUK and echarts $ECHARTS into $static"
