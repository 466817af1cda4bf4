#!/bin/sh
# Lệnh cảnh báo mẫu (alerts.command trong bulletin.yaml): ghi cảnh báo vào nhật ký hệ thống.
# bulletin chạy lệnh không qua shell, truyền nội dung (tiếng Việt) trên stdin và trong
# $BULLETIN_ALERT, loại trong $BULLETIN_ALERT_KIND (missed_air, controller_failed,
# awaiting_approval, build_failed, skipped_unapproved); có thể có $BULLETIN_ALERT_PROGRAMME,
# $BULLETIN_ALERT_CONTROLLER, $BULLETIN_ALERT_BULLETIN. Mã thoát khác 0 được ghi là lỗi gửi.
#
# Example alert command (alerts.command in bulletin.yaml): writes the alert to the system log.
# bulletin runs it without a shell, with the (Vietnamese) text on stdin and in
# $BULLETIN_ALERT and the kind in $BULLETIN_ALERT_KIND; a non-zero exit is recorded as a
# failed send. Replace `logger` with your SMS gateway or mail command.
exec logger -t bulletin-alert -p user.warning -- "[$BULLETIN_ALERT_KIND] $BULLETIN_ALERT"
