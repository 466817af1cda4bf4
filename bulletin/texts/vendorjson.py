"""The vendor-json device server transport."""

TEXTS: dict[str, tuple[str, str]] = {
    "vendorjson.address": (
        "Bộ điều khiển '{controller}': địa chỉ '{address}' không đúng dạng "
        "vendorjson://MÁY:CỔNG/MÃ_THIẾT_BỊ",
        "Controller '{controller}': address '{address}' is not vendorjson://HOST:PORT/DEVICE_ID",
    ),
    "vendorjson.no_media_url": (
        "Bộ điều khiển '{controller}': thiết bị tải âm thanh qua URL nhưng chưa có địa chỉ "
        "công khai; đặt public_url trong bulletin.yaml và chạy 'bulletin serve'",
        "Controller '{controller}': the device fetches audio by URL but there is no public "
        "address; set public_url in bulletin.yaml and run 'bulletin serve'",
    ),
    "vendorjson.not_downloaded": (
        "Bộ điều khiển '{controller}': thiết bị {device} chưa tải xong âm thanh sau {seconds} "
        "giây; sẽ thử lại",
        "Controller '{controller}': device {device} did not download the audio in {seconds} s; "
        "will retry",
    ),
    "vendorjson.http": (
        "Bộ điều khiển '{controller}': máy chủ thiết bị trả lời HTTP {status} ({detail})",
        "Controller '{controller}': the device server answered HTTP {status} ({detail})",
    ),
    "vendorjson.refused": (
        "Bộ điều khiển '{controller}': máy chủ thiết bị từ chối lệnh cho thiết bị {device} "
        "({detail})",
        "Controller '{controller}': the device server refused the command for device {device} "
        "({detail})",
    ),
    "vendorjson.unknown_device": (
        "Bộ điều khiển '{controller}': máy chủ thiết bị không có thiết bị {device}; kiểm tra "
        "mã thiết bị trong địa chỉ",
        "Controller '{controller}': the device server does not list device {device}; check the "
        "device id in the address",
    ),
    "vendorjson.answer": (
        "Bộ điều khiển '{controller}': câu trả lời của máy chủ thiết bị không đọc được ({detail})",
        "Controller '{controller}': the device server's answer cannot be read ({detail})",
    ),
}
