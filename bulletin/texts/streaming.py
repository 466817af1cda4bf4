"""Messages of the streaming transports: icecast mounts and MQTT devices."""

TEXTS: dict[str, tuple[str, str]] = {
    "icecast.address": (
        "Bộ điều khiển '{controller}': địa chỉ '{address}' không đúng dạng "
        "icecast://MÁY:CỔNG/MOUNT",
        "Controller '{controller}': address '{address}' is not icecast://HOST:PORT/MOUNT",
    ),
    "icecast.unknown_pace": (
        "Không đọc được thời lượng tệp âm thanh để phát theo thời gian thực; đặt "
        "icecast.bitrate_kbps cho bộ điều khiển",
        "Cannot read the audio's duration to stream it in real time; set icecast.bitrate_kbps "
        "for the controller",
    ),
    "icecast.mount_in_use": (
        "Bộ điều khiển '{controller}': điểm phát {mount} đang có nguồn khác phát; sẽ thử lại",
        "Controller '{controller}': mount {mount} is in use by another source; will retry",
    ),
    "icecast.refused": (
        "Bộ điều khiển '{controller}': máy chủ Icecast từ chối ({detail})",
        "Controller '{controller}': the Icecast server refused ({detail})",
    ),
    "icecast.not_icecast": (
        "Bộ điều khiển '{controller}': máy chủ không trả lời như Icecast ({detail})",
        "Controller '{controller}': the server does not answer like Icecast ({detail})",
    ),
    "icecast.tls": (
        "Bộ điều khiển '{controller}': chứng chỉ TLS không hợp lệ ({detail}); không thử lại",
        "Controller '{controller}': invalid TLS certificate ({detail}); not retried",
    ),
    "mqtt.address": (
        "Bộ điều khiển '{controller}': địa chỉ '{address}' không đúng dạng "
        "mqtt://MÁY:CỔNG/TIỀN_TỐ_CHỦ_ĐỀ",
        "Controller '{controller}': address '{address}' is not mqtt://HOST:PORT/TOPIC_PREFIX",
    ),
    "mqtt.tls": (
        "Bộ điều khiển '{controller}': chứng chỉ TLS của máy chủ MQTT không hợp lệ ({detail}); "
        "không thử lại",
        "Controller '{controller}': invalid TLS certificate on the MQTT broker ({detail}); "
        "not retried",
    ),
    "mqtt.refused": (
        "Bộ điều khiển '{controller}': máy chủ MQTT từ chối kết nối ({detail}); sẽ thử lại",
        "Controller '{controller}': the MQTT broker refused the connection ({detail}); will retry",
    ),
    "mqtt.no_media_url": (
        "Bộ điều khiển '{controller}' tải âm thanh qua URL: cần chạy 'bulletin serve' và đặt "
        "public_url trong bulletin.yaml",
        "Controller '{controller}' downloads audio by URL: run 'bulletin serve' and set "
        "public_url in bulletin.yaml",
    ),
    "mqtt.no_ack": (
        "Bộ điều khiển '{controller}': thiết bị không xác nhận trong {seconds} giây; sẽ thử lại",
        "Controller '{controller}': device did not acknowledge within {seconds} s; will retry",
    ),
    "mqtt.device_failed": (
        "Bộ điều khiển '{controller}': thiết bị báo lỗi ({reason})",
        "Controller '{controller}': the device reports a failure ({reason})",
    ),
    "mqtt.device_checksum": (
        "Bộ điều khiển '{controller}': thiết bị nhận được tệp khác (SHA-256 {got}, cần "
        "{want}); sẽ thử lại",
        "Controller '{controller}': the device got different audio (SHA-256 {got}, expected "
        "{want}); will retry",
    ),
}
