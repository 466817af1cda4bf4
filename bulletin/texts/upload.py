"""Upload transports: FTP, FTPS, SFTP and HTTP upload to a controller."""

TEXTS: dict[str, tuple[str, str]] = {
    "upload.address": (
        "Bộ điều khiển '{controller}': địa chỉ {address} không hợp lệ cho {transport} "
        "(cần dạng {expected})",
        "Controller '{controller}': address {address} is not valid for {transport} "
        "(expected {expected})",
    ),
    "upload.no_user": (
        "Bộ điều khiển '{controller}': thiếu tên đăng nhập (đặt 'user:mật_khẩu' trong "
        "credentials_env hoặc tên trong địa chỉ)",
        "Controller '{controller}': no user name (set 'user:password' in credentials_env or "
        "a user name in the address)",
    ),
    "upload.disk_full": (
        "Bộ điều khiển '{controller}': ổ đĩa máy nhận đã đầy ({detail}); giải phóng chỗ rồi "
        "gửi lại",
        "Controller '{controller}': remote disk full ({detail}); free some space, then push again",
    ),
    "upload.tls": (
        "Bộ điều khiển '{controller}': không xác minh được chứng chỉ TLS của máy nhận "
        "({detail}); kiểm tra ca_bundle, không thử lại",
        "Controller '{controller}': the server's TLS certificate could not be verified "
        "({detail}); check ca_bundle; not retried",
    ),
    "upload.host_key": (
        "Bộ điều khiển '{controller}': khóa máy chủ SSH không khớp hoặc chưa được tin cậy "
        "({detail}); kiểm tra known_hosts, không thử lại",
        "Controller '{controller}': the SSH host key is not trusted or does not match "
        "({detail}); check known_hosts; not retried",
    ),
    "upload.refused": (
        "Bộ điều khiển '{controller}': máy nhận từ chối bước {what} ({detail}); không thử lại",
        "Controller '{controller}': the server refused {what} ({detail}); not retried",
    ),
    "upload.server_busy": (
        "Bộ điều khiển '{controller}': máy nhận tạm thời lỗi ở bước {what} ({detail}); sẽ thử lại",
        "Controller '{controller}': the server failed for now at {what} ({detail}); will retry",
    ),
    "upload.size_mismatch": (
        "Bộ điều khiển '{controller}': tệp {remote} trên máy nhận có {found} byte, đã gửi "
        "{sent} byte; sẽ thử lại",
        "Controller '{controller}': remote file {remote} has {found} bytes, {sent} were sent; "
        "will retry",
    ),
    "upload.checksum_mismatch": (
        "Bộ điều khiển '{controller}': mã kiểm tra máy nhận báo ({found}) khác mã của tệp đã "
        "gửi ({sent}); sẽ thử lại",
        "Controller '{controller}': the server's checksum ({found}) differs from the one sent "
        "({sent}); will retry",
    ),
    "upload.ssh_file": (
        "Bộ điều khiển '{controller}': không đọc được tệp SSH {path} ({detail})",
        "Controller '{controller}': cannot read SSH file {path} ({detail})",
    ),
}
