#!/usr/bin/env bash
# `make run`: migrate, load the demo province (idempotent), start gunicorn and the Celery worker
# (with its beat) on the embedded defaults, print where to go; Ctrl-C stops everything started.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_DEBUG="${DJANGO_DEBUG:-1}"
export LOG_FORMAT="${LOG_FORMAT:-text}"
BIN=.venv/bin
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
WORKERS="${WEB_WORKERS:-3}"

$BIN/python manage.py migrate --noinput -v0
$BIN/python manage.py load_demo
$BIN/python manage.py demo_ca

pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "Đang dừng các tiến trình..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

$BIN/gunicorn chinhquyen.wsgi:application --bind "$HOST:$PORT" --workers "$WORKERS" \
  --access-logfile - --graceful-timeout 5 &
pids+=($!)
CELERY_DIR="${VAR_DIR:-var}/celery"
mkdir -p "$CELERY_DIR"
$BIN/celery -A chinhquyen worker --beat --schedule "$CELERY_DIR/beat-schedule" \
  --concurrency 1 --loglevel WARNING &
pids+=($!)

sleep 2
cat <<MSG

  chinhquyen đang chạy: http://$HOST:$PORT/
  Đăng nhập cán bộ:     http://$HOST:$PORT/dang-nhap/  (tài khoản ở bảng trên; mã 6 số:
                        .venv/bin/python manage.py demo_totp <tên đăng nhập>)
  Quản trị:             http://$HOST:$PORT/quan-tri/  (tài khoản quản trị hệ thống)
  Đăng nhập công dân:   http://$HOST:$PORT/tai-khoan/dang-nhap/  (tài khoản công dân ở trên)
  Nhấn Ctrl-C để dừng.

MSG
wait -n "${pids[@]}"
