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
PAYGATE_PORT="${PAYGATE_PORT:-8010}"

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

# The test payment gateway (VNPAY 2.1.0 protocol, ADR 0010) unless a real one is configured: the
# debug settings send payments to it and its IPN comes back to this site.
PAYGATE_MSG=""
if [ -z "${PAYMENT_GATEWAY_URL:-}" ] && [[ "${DJANGO_DEBUG,,}" =~ ^(1|true|yes|on)$ ]]; then
  export PAYMENT_GATEWAY_URL="http://127.0.0.1:$PAYGATE_PORT/paymentv2/vpcpay.html"
  export PAYMENT_QUERY_URL="http://127.0.0.1:$PAYGATE_PORT/merchant_webapi/api/transaction"
  export PAYMENT_PUBLIC_BASE_URL="${PAYMENT_PUBLIC_BASE_URL:-${SITE_URL:-http://127.0.0.1:$PORT}}"
  $BIN/python -m chinhquyen.integrations.paygate.testserver --host 127.0.0.1 \
    --port "$PAYGATE_PORT" --ipn-url "http://$HOST:$PORT/thanh-toan/ipn/" &
  pids+=($!)
  PAYGATE_MSG="  Cổng thanh toán thử:  127.0.0.1:$PAYGATE_PORT (giả lập, không có tiền thật)"
fi

# The test postal operator (ADR 0020) unless a real one is configured: results returned by post
# are booked there and its status callbacks come back to this site.
POSTAL_MSG=""
POSTAL_PORT="${POSTAL_PORT:-8011}"
if [ -z "${POSTAL_API_URL:-}" ] && [[ "${DJANGO_DEBUG,,}" =~ ^(1|true|yes|on)$ ]]; then
  export POSTAL_API_URL="http://127.0.0.1:$POSTAL_PORT"
  export POSTAL_PUBLIC_BASE_URL="${POSTAL_PUBLIC_BASE_URL:-${SITE_URL:-http://$HOST:$PORT}}"
  $BIN/python -m chinhquyen.integrations.postal.testserver --host 127.0.0.1 --port "$POSTAL_PORT" &
  pids+=($!)
  POSTAL_MSG="  Bưu chính thử:        127.0.0.1:$POSTAL_PORT (giả lập; phát tin trạng thái: POST
                        /_test/shipments/<mã đơn>/events {\"status\": \"delivered\"})"
fi

# The access log leaves out query strings: the public lookup carries check digits there.
$BIN/gunicorn chinhquyen.wsgi:application --bind "$HOST:$PORT" --workers "$WORKERS" \
  --access-logfile - --graceful-timeout 5 \
  --access-logformat '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s' &
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
$PAYGATE_MSG
$POSTAL_MSG
  Đăng nhập công dân:   http://$HOST:$PORT/tai-khoan/dang-nhap/  (tài khoản công dân ở trên)
  Nhấn Ctrl-C để dừng.

MSG
wait -n "${pids[@]}"
