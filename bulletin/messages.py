"""The message catalog: every line a person reads, in Vietnamese first, English second."""

from __future__ import annotations

import os
from typing import Any

# key: (Vietnamese, English)
CATALOG: dict[str, tuple[str, str]] = {
    # errors
    "config.missing": ("Không tìm thấy tệp cấu hình {path}", "Configuration file {path} not found"),
    "config.encoding": (
        "Tệp {path} không phải UTF-8: {detail}",
        "File {path} is not UTF-8: {detail}",
    ),
    "config.yaml": (
        "Tệp {path}, dòng {line}: YAML không hợp lệ ({detail})",
        "{path}, line {line}: invalid YAML ({detail})",
    ),
    "config.field": (
        "Tệp {path}, trường '{field}': {detail}",
        "{path}, field '{field}': {detail}",
    ),
    "workspace.none": (
        "Không tìm thấy không gian làm việc (bulletin.yaml) từ {cwd} trở lên; "
        "dùng --workspace DIR hoặc chạy 'bulletin init DIR'",
        "No workspace (bulletin.yaml) found from {cwd} upward; "
        "use --workspace DIR or run 'bulletin init DIR'",
    ),
    "workspace.exists": (
        "Thư mục {path} đã có bulletin.yaml; không ghi đè",
        "{path} already holds a bulletin.yaml; not overwriting",
    ),
    "voice.missing": (
        "Không có giọng đọc '{name}' ({path})",
        "No voice profile '{name}' ({path})",
    ),
    "programme.missing": (
        "Không có chương trình '{name}' ({path})",
        "No programme '{name}' ({path})",
    ),
    "store.broken": (
        "Không mở được cơ sở dữ liệu {path}: {detail}",
        "Cannot open the database {path}: {detail}",
    ),
    "store.too_new": (
        "Cơ sở dữ liệu {path} ở phiên bản {version}, mới hơn phiên bản {known} mà bản bulletin "
        "này biết; hãy cập nhật bulletin",
        "Database {path} is at schema version {version}, newer than the {known} this bulletin "
        "knows; upgrade bulletin",
    ),
    "item.missing": ("Không có tin số {id}", "No announcement with id {id}"),
    "bulletin.missing": ("Không có bản tin số {id}", "No bulletin with id {id}"),
    "bulletin.none": (
        "Chưa có bản tin nào; chạy 'bulletin build'",
        "No bulletin yet; run 'bulletin build'",
    ),
    "bulletin.wrong_state": (
        "Bản tin {id} đang ở trạng thái '{state}', không thể {action}",
        "Bulletin {id} is '{state}'; cannot {action}",
    ),
    "source.missing": (
        "Không có nguồn '{name}' trong sources.yaml (có: {known})",
        "No source '{name}' in sources.yaml (known: {known})",
    ),
    "source.no_location": (
        "Nguồn '{name}' thiếu url hoặc path",
        "Source '{name}' has neither url nor path",
    ),
    "source.unreadable": (
        "Nguồn '{name}': không đọc được {path} ({detail})",
        "Source '{name}': cannot read {path} ({detail})",
    ),
    "http.too_big": (
        "{url}: nội dung lớn hơn {limit_mb} MB, bỏ qua",
        "{url}: body larger than {limit_mb} MB, refused",
    ),
    "http.status": ("{url}: máy chủ trả lời HTTP {status}", "{url}: server answered HTTP {status}"),
    "http.unreachable": (
        "{url}: không kết nối được ({detail})",
        "{url}: unreachable ({detail})",
    ),
    "http.timeout": (
        "{url}: máy chủ không trả lời xong trong {seconds} giây",
        "{url}: no complete answer within {seconds} s",
    ),
    "http.redirects": (
        "{url}: chuyển hướng vòng lặp hoặc quá nhiều lần (hơn 10)",
        "{url}: redirect loop or too many redirects (over 10)",
    ),
    "http.tls": (
        "{url}: lỗi chứng chỉ TLS ({detail}); nếu cổng thông tin dùng chuỗi chứng chỉ lỗi, "
        "khai báo ca_bundle cho nguồn này",
        "{url}: TLS certificate problem ({detail}); for a portal with a broken chain, set "
        "ca_bundle on the source",
    ),
    "feed.unsafe": (
        "Nguồn '{name}': tài liệu XML khai báo thực thể (entity), bị từ chối vì không an toàn "
        "({detail})",
        "Source '{name}': the XML declares entities, refused as unsafe ({detail})",
    ),
    "feed.follow_failed": (
        "Nguồn '{name}': không lấy được bài {url} ({detail}); giữ phần tóm tắt trong RSS",
        "Source '{name}': could not fetch article {url} ({detail}); kept the feed's summary",
    ),
    "feed.invalid": (
        "Nguồn '{name}': không đọc được RSS/Atom ({detail})",
        "Source '{name}': not a readable RSS/Atom feed ({detail})",
    ),
    "folder.missing": (
        "Nguồn '{name}': thư mục {path} không tồn tại",
        "Source '{name}': folder {path} does not exist",
    ),
    "file.too_big": (
        "{path}: tệp lớn hơn {limit_mb} MB, bỏ qua",
        "{path}: larger than {limit_mb} MB",
    ),
    "file.encoding": (
        "{path}: không nhận ra bảng mã (cần UTF-8 hoặc Windows-1258)",
        "{path}: unknown encoding (expected UTF-8 or Windows-1258)",
    ),
    "encoding.legacy": (
        "{name}: văn bản gõ bằng bảng mã cũ {encoding}, không đọc đúng được; hãy chuyển sang "
        "Unicode (ví dụ bằng công cụ chuyển mã của Unikey)",
        "{name}: text is typed in the legacy {encoding} encoding and cannot be read correctly; "
        "convert it to Unicode (e.g. with Unikey's converter)",
    ),
    "encoding.converted": (
        "{name}: văn bản dùng bảng mã cũ {encoding}, đã tự chuyển sang Unicode; hãy kiểm tra lại",
        "{name}: text in the legacy {encoding} encoding was converted to Unicode "
        "automatically; please check it",
    ),
    "attachment.doc": (
        "{name}: tệp Word cũ (.doc) không đọc được; hãy lưu lại thành .docx hoặc PDF",
        "{name}: old Word file (.doc) cannot be read; save it as .docx or PDF",
    ),
    "attachment.scanned": (
        "{name}: tệp PDF là bản quét (ảnh), không có chữ; cần nhận dạng chữ (OCR), chưa được "
        "hỗ trợ",
        "{name}: scanned PDF without a text layer; it needs OCR, which is not supported",
    ),
    "attachment.broken": (
        "{name}: tệp hỏng hoặc có mật khẩu, không mở được ({detail})",
        "{name}: damaged or password-protected file ({detail})",
    ),
    "attachment.too_big": (
        "{name}: tệp lớn hơn {limit_mb} MB, bỏ qua",
        "{name}: larger than {limit_mb} MB, skipped",
    ),
    "attachment.too_long": (
        "{name}: tệp có {pages} trang, quá {limit} trang, bỏ qua",
        "{name}: {pages} pages, more than {limit}, skipped",
    ),
    "attachment.unsupported": (
        "{name}: loại tệp chưa được hỗ trợ (chỉ đọc PDF và DOCX)",
        "{name}: unsupported file type (only PDF and DOCX are read)",
    ),
    "page.article_failed": (
        "{url}: không lấy được bài viết ({detail})",
        "{url}: could not fetch the article ({detail})",
    ),
    "page.fallback": (
        "{url}: dùng tiêu đề và tóm tắt ở trang danh sách thay cho bài viết",
        "{url}: using the listing's title and summary instead of the article",
    ),
    "page.listing_failed": (
        "{url}: không lấy được trang danh sách tiếp theo ({detail})",
        "{url}: could not fetch the next listing page ({detail})",
    ),
    "page.no_links": (
        "{url}: không tìm thấy liên kết bài viết nào; kiểm tra link_pattern trong sources.yaml",
        "{url}: no article links found; check link_pattern in sources.yaml",
    ),
    "page.no_text": (
        "{url}: trang không có nội dung đọc được",
        "{url}: no readable text on the page",
    ),
    "page.attachment_missing": (
        "{url}: bài viết chỉ dẫn tới tệp đính kèm nhưng không đọc được tệp nào",
        "{url}: the article points to attached files but none could be read",
    ),
    "input.file": ("Không đọc được tệp {path}: {detail}", "Cannot read {path}: {detail}"),
    "input.empty": ("Văn bản trống", "The text is empty"),
    "input.jsonl": (
        "{path}, dòng {line}: {detail}",
        "{path}, line {line}: {detail}",
    ),
    "config.env": (
        "Biến môi trường {name}: giá trị không đọc được ({detail})",
        "Environment variable {name}: unreadable value ({detail})",
    ),
    "name.invalid": (
        "Tên {what} '{name}' không hợp lệ: chỉ dùng chữ, số và . - _, không phải đường dẫn",
        "Invalid {what} name '{name}': use letters, digits and . - _, not a path",
    ),
    "what.voice": ("giọng đọc", "voice"),
    "what.programme": ("chương trình", "programme"),
    "what.source": ("nguồn tin", "source"),
    "what.controller": ("bộ điều khiển", "controller"),
    "bulletin.busy": (
        "Bản tin {id} đang được một tiến trình khác gửi, sửa hoặc duyệt; hãy thử lại khi xong",
        "Bulletin {id} is being delivered, edited or reviewed by another process; try again "
        "when it is done",
    ),
    "say.too_long": (
        "Văn bản dài {size} ký tự, vượt giới hạn {limit} ký tự của lệnh say; hãy chia thành "
        "nhiều phần",
        "The text is {size} characters long, over say's limit of {limit} characters; split it "
        "into parts",
    ),
    "say.too_long_spoken": (
        "Văn bản khi đọc thành lời (số và chữ viết tắt đọc đầy đủ) dài {size} ký tự, vượt giới "
        "hạn {limit} ký tự của lệnh say; hãy chia thành nhiều phần",
        "Read aloud (numbers and abbreviations written out), the text is {size} characters "
        "long, over say's limit of {limit} characters; split it into parts",
    ),
    "say.unspeakable": (
        "Không có gì để đọc: văn bản không có chữ cái hay chữ số nào",
        "Nothing to read: the text has no letters or digits",
    ),
    "lock.busy": (
        "Một tiến trình khác đang chạy '{job}' trên không gian làm việc này ({path}); "
        "hãy đợi nó xong",
        "Another process is running '{job}' on this workspace ({path}); wait for it to finish",
    ),
    # hardening of sources (issue 14)
    "fetch.crashed": (
        "Nguồn '{name}': lỗi ngoài dự kiến {kind} ({detail}); các nguồn khác vẫn được lấy",
        "Source '{name}': unexpected {kind} ({detail}); the other sources were still fetched",
    ),
    "http.encoding": (
        "{url}: nội dung nén kiểu '{encoding}', không giải nén an toàn được "
        "(chỉ nhận gzip hoặc deflate, tối đa hai lớp)",
        "{url}: content coding '{encoding}' cannot be decoded safely "
        "(only gzip or deflate, at most two layers)",
    ),
    "folder.outside": (
        "{path}: liên kết trỏ ra ngoài thư mục nguồn ({target}), bỏ qua",
        "{path}: links to outside the source folder ({target}), skipped",
    ),
    "encoding.unreadable": (
        "{name}: không phải văn bản đọc được ({percent}% là ký tự điều khiển hoặc không hiển "
        "thị được), bỏ qua",
        "{name}: not readable text ({percent}% control or unprintable characters), skipped",
    ),
    "source.out_of_time": (
        "Nguồn '{name}': đã hết {seconds} giây dành cho nguồn này",
        "Source '{name}': its {seconds} s for this fetch are used up",
    ),
    "source.budget_spent": (
        "Nguồn '{name}': đã hết {seconds} giây dành cho nguồn này ({factor} lần timeout_s); "
        "{count} bài viết chưa lấy, để lần sau hoặc giữ phần tóm tắt",
        "Source '{name}': used up its {seconds} s ({factor} × timeout_s); {count} article "
        "pages not fetched, left for the next run or kept as summaries",
    ),
    "feed.malformed": (
        "Nguồn '{name}': RSS/Atom bị lỗi hoặc bị cắt cụt ({detail}); chỉ đọc được {count} mục, "
        "có thể thiếu tin",
        "Source '{name}': the RSS/Atom feed is malformed or truncated ({detail}); read "
        "{count} items, some may be missing",
    ),
    "script.template": (
        "Mẫu lời dẫn không hợp lệ trong bulletin.yaml: {template!r} ({detail})",
        "Invalid script template in bulletin.yaml: {template!r} ({detail})",
    ),
    "build.interrupted": (
        "Lần dựng bản tin này bị dừng giữa chừng; bản nháp được đóng lại",
        "This build was interrupted; the draft was closed",
    ),
    "build.nothing": (
        "Không có tin nào mới để dựng bản tin; chạy 'bulletin fetch' trước",
        "No new announcements to build from; run 'bulletin fetch' first",
    ),
    "edit.no_sentence": (
        "Bản tin {id} không có câu số {index} (các câu đánh số từ 0 đến {last}; xem bằng "
        "'bulletin preview {id}')",
        "Bulletin {id} has no sentence {index} (sentences are numbered 0 to {last}; see "
        "'bulletin preview {id}')",
    ),
    "edit.format": (
        "Dòng {line}: cần dạng 'SỐ: câu' (ví dụ '12: Ủy ban nhân dân xã thông báo.')",
        "Line {line}: expected 'NUMBER: sentence' (e.g. '12: The commune announces.')",
    ),
    "edit.done": (
        "Đã sửa {changed} câu của bản tin {id}; đọc lại {synthesized} câu. Bản tin cần được "
        "duyệt lại: 'bulletin approve {id} --as TÊN'",
        "Edited {changed} sentence(s) of bulletin {id}; {synthesized} spoken again. It needs "
        "approval again: 'bulletin approve {id} --as NAME'",
    ),
    "edit.nothing": ("Không có câu nào thay đổi", "No sentence changed"),
    "help.edit": (
        "Sửa lời đọc của bản tin (--sentence SỐ --text CÂU, hoặc mở trình soạn thảo); chỉ đọc "
        "lại các câu đã sửa, bản tin phải được duyệt lại.",
        "",
    ),
    "opt.sentence": ("Số thứ tự câu cần sửa (xem 'bulletin preview').", ""),
    "opt.new_text": ("Câu mới.", ""),
    "action.approve": ("duyệt", "approve"),
    "action.reject": ("từ chối", "reject"),
    "action.edit": ("sửa", "edit"),
    "action.push": ("phát", "push"),
    "action.deliver": ("ghi nhận đã phát", "deliver"),
    "action.create": ("tạo", "create"),
    "action.build": ("dựng", "build"),
    "action.abandon": ("bỏ bản nháp", "abandon"),
    "action.approve-first": ("duyệt lượt đầu", "first approval"),
    "action.schedule": ("xếp lịch", "schedule"),
    "action.unschedule": ("bỏ lịch", "unschedule"),
    "action.fail": ("ghi nhận lỗi phát", "record a failed delivery"),
    "action.queue": ("xếp hàng gửi", "queue"),
    "action.claim": ("bắt đầu gửi", "start delivering"),
    "action.cancel": ("huỷ gửi", "cancel"),
    "delivery.wrong_state": (
        "Lượt gửi bản tin {id} tới '{controller}' đang ở trạng thái '{state}', không thể {action}",
        "Delivery of bulletin {id} to '{controller}' is '{state}'; cannot {action}",
    ),
    "delivery.folder_address": (
        "Bộ điều khiển '{controller}': địa chỉ thư mục '{address}' không dùng được (cần "
        "file:///đường/dẫn, một đường dẫn, hoặc đường dẫn tương đối so với không gian làm việc)",
        "Controller '{controller}': folder address '{address}' cannot be used (use "
        "file:///path, a path, or a path relative to the workspace)",
    ),
    "delivery.failed_audit": ("Gửi không thành: {detail}", "Delivery failed: {detail}"),
    "delivery.audio_unreadable": (
        "Không đọc được tệp âm thanh {path}: {detail}",
        "Cannot read the audio file {path}: {detail}",
    ),
    "delivery.no_credentials": (
        "Bộ điều khiển '{controller}': biến môi trường {env} (mật khẩu/mã truy cập) chưa đặt",
        "Controller '{controller}': environment variable {env} (password or token) is not set",
    ),
    "edit.audit": ("Sửa {count} câu", "{count} sentence(s) edited"),
    "audio.changed": (
        "Tệp âm thanh của bản tin {id} đã bị thay đổi sau khi dựng hoặc duyệt; từ chối. "
        "Hãy dựng lại hoặc sửa bản tin rồi duyệt lại",
        "The audio of bulletin {id} changed on disk after it was built or approved; refused. "
        "Rebuild or edit the bulletin and approve it again",
    ),
    "audio.changed_on_disk": (
        "Tệp {path} không còn đúng nội dung đã duyệt (SHA-256 khác)",
        "{path} is no longer the approved audio (SHA-256 differs)",
    ),
    "audio.missing": (
        "Bản tin chưa có tệp âm thanh ({path})",
        "The bulletin has no audio ({path})",
    ),
    "audio.outside": (
        "Đường dẫn âm thanh '{path}' nằm ngoài không gian làm việc; từ chối",
        "Audio path '{path}' lies outside the workspace; refused",
    ),
    "review.unknown_user": (
        "Không có người dùng '{user}'; thêm bằng 'bulletin users add {user} --role approver'",
        "No user '{user}'; add one with 'bulletin users add {user} --role approver'",
    ),
    "review.inactive_user": (
        "Người dùng '{user}' đã bị vô hiệu hoá, không thể duyệt",
        "User '{user}' is disabled and cannot review",
    ),
    "review.not_approver": (
        "Người dùng '{user}' không có quyền duyệt (vai trò approver)",
        "User '{user}' does not have the approver role",
    ),
    "users.bad_name": (
        "Tên người dùng '{name}' không hợp lệ: chỉ dùng chữ, số và . _ - @, "
        "không có ký tự điều khiển hay ký tự ẩn",
        "Invalid user name '{name}': use letters, digits and . _ - @, "
        "with no control or invisible characters",
    ),
    "users.bad_display_name": (
        "Tên hiển thị '{name}' có ký tự điều khiển/ký tự ẩn hoặc quá dài",
        "Display name '{name}' holds control or invisible characters, or is too long",
    ),
    "users.bad_role": (
        "Vai trò '{role}' không có (có: {known})",
        "No role '{role}' (known: {known})",
    ),
    "users.no_role": ("Cần ít nhất một vai trò ({known})", "At least one role is needed ({known})"),
    "users.short_password": (
        "Mật khẩu phải có ít nhất {minimum} ký tự",
        "The password needs at least {minimum} characters",
    ),
    "users.no_password": (
        "Không đọc được mật khẩu từ stdin (một dòng)",
        "No password on stdin (one line expected)",
    ),
    "users.exists": ("Đã có người dùng '{name}'", "User '{name}' already exists"),
    "users.missing": ("Không có người dùng '{name}'", "No user '{name}'"),
    "users.sign_in_failed": (
        "Tên đăng nhập hoặc mật khẩu không đúng",
        "Wrong user name or password",
    ),
    "users.added": ("Đã thêm người dùng {name} ({roles})", "User {name} added ({roles})"),
    "users.none": (
        "Chưa có người dùng; thêm bằng 'bulletin users add TÊN --role approver'",
        "No users yet; add one with 'bulletin users add NAME --role approver'",
    ),
    "users.active": ("đang hoạt động", "active"),
    "users.disabled": ("đã vô hiệu hoá", "disabled"),
    "users.password_set": ("Đã đặt mật khẩu cho {name}", "Password set for {name}"),
    "users.disabled_done": ("Đã vô hiệu hoá người dùng {name}", "User {name} disabled"),
    "col.user": ("Người dùng", "User"),
    "col.display_name": ("Tên hiển thị", "Display name"),
    "col.roles": ("Vai trò", "Roles"),
    "col.group": ("Nhóm", "Group"),
    "audit.ok": (
        "Nhật ký kiểm tra nguyên vẹn: {count} mục, chuỗi băm khớp",
        "Audit log intact: {count} entries, hash chain holds",
    ),
    "audit.broken.link": (
        "Nhật ký kiểm tra bị sửa: mục {id} không khớp với mục trước nó (mục trước đã bị sửa "
        "hoặc xoá)",
        "Audit log tampered with: entry {id} does not link to the one before it (that one was "
        "changed or removed)",
    ),
    "audit.broken.content": (
        "Nhật ký kiểm tra bị sửa: nội dung mục {id} không khớp với mã băm của nó",
        "Audit log tampered with: the content of entry {id} does not match its hash",
    ),
    "controllers.added": (
        "Đã thêm bộ điều khiển {name} vào {path}",
        "Controller {name} added to {path}",
    ),
    "controllers.removed": (
        "Đã xoá bộ điều khiển {name} khỏi {path}",
        "Controller {name} removed from {path}",
    ),
    "voices.sample": (
        "Đây là Đài Truyền thanh xã. Ngày 31/12/2026, Ủy ban nhân dân xã tổ chức họp dân lúc "
        "7h30 tại hội trường; đề nghị 100% hộ gia đình cử đại diện tham dự.",
        "Đây là Đài Truyền thanh xã. Ngày 31/12/2026, Ủy ban nhân dân xã tổ chức họp dân lúc "
        "7h30 tại hội trường; đề nghị 100% hộ gia đình cử đại diện tham dự.",
    ),
    "voices.installed": (
        "Đã cài giọng {name}: {path}. Tạo hồ sơ giọng trong voices/ với engine: piper và "
        "model: {path}",
        "Installed voice {name}: {path}. Make a voice profile in voices/ with engine: piper "
        "and model: {path}",
    ),
    "help.audit": ("Nhật ký duyệt (kiểm tra chuỗi băm).", ""),
    "help.audit.verify": (
        "Kiểm tra chuỗi băm của nhật ký duyệt và chỉ ra mục đầu tiên bị sửa.",
        "",
    ),
    "help.users": ("Người sửa và người duyệt bản tin (add, list, passwd, disable).", ""),
    "help.users.add": (
        "Thêm người dùng; không có mật khẩu thì không đăng nhập trang duyệt tin được.",
        "",
    ),
    "help.users.list": ("Liệt kê người dùng và vai trò (không bao giờ in mật khẩu).", ""),
    "help.users.passwd": ("Đặt mật khẩu (đọc từ stdin, không bao giờ từ dòng lệnh).", ""),
    "help.users.disable": (
        "Vô hiệu hoá người dùng: không đăng nhập, duyệt hay từ chối được nữa.",
        "",
    ),
    "help.controllers": (
        "Bộ điều khiển loa trong controllers.yaml (list, add, remove, check, status).",
        "",
    ),
    "help.controllers.list": ("Liệt kê các bộ điều khiển.", ""),
    "help.controllers.add": ("Thêm bộ điều khiển vào controllers.yaml (giữ chú thích).", ""),
    "help.controllers.remove": (
        "Xoá bộ điều khiển khỏi controllers.yaml; biên nhận vẫn giữ trong kho.",
        "",
    ),
    "opt.roles": ("Vai trò: editor, approver hoặc admin (lặp lại được).", ""),
    "opt.display_name": ("Tên hiển thị trên trang duyệt tin.", ""),
    "opt.password_stdin": ("Đọc mật khẩu từ stdin (một dòng).", ""),
    "opt.transport": ("Cách chuyển bản tin: folder (hoặc của một phần mở rộng).", ""),
    "opt.address": ("Địa chỉ bộ điều khiển (URL hoặc thư mục).", ""),
    "opt.group": ("Nhóm loa (một xã, một cụm).", ""),
    "opt.fmt": ("Định dạng âm thanh BITRATEk-TẦNSỐ-KÊNH, ví dụ 64k-22050-1.", ""),
    "opt.credentials_env": ("Biến môi trường chứa user:mật-khẩu hoặc mã truy cập.", ""),
    "help.voices.install": (
        "Cài giọng trong danh mục (ví dụ vi_VN-vais1000-medium) vào voices/: tải về, hoặc "
        "chép từ thư mục/USB với --from; mọi tệp được kiểm tra SHA-256.",
        "",
    ),
    "col.voice": ("Giọng", "Voice"),
    "col.model": ("Mô hình / giọng", "Model / voice"),
    "col.region": ("Vùng", "Region"),
    "help.voices": ("Các giọng đọc trong voices/ (list, test).", ""),
    "help.voices.list": ("Liệt kê giọng đọc và cho biết giọng nào dùng được trên máy này.", ""),
    "help.voices.test": (
        "Đọc thử một thông báo mẫu bằng giọng NAME ra tệp MP3; --score chấm độ dễ nghe bằng "
        "bộ nghe máy.",
        "",
    ),
    "review.no_user": ("Cần tên người duyệt (--as)", "An approver name is required (--as)"),
    "review.no_reason": ("Cần lý do từ chối (--reason)", "A reason is required (--reason)"),
    "review.same_approver": (
        "Bản tin khẩn {id} cần hai người duyệt khác nhau; '{user}' đã duyệt lần thứ nhất",
        "Emergency bulletin {id} needs two different approvers; '{user}' already approved once",
    ),
    "controller.none": (
        "controllers.yaml chưa có bộ điều khiển nào",
        "controllers.yaml defines no controller",
    ),
    "controller.missing": (
        "Không có bộ điều khiển hay nhóm '{name}' (có: {known})",
        "No controller or group '{name}' (known: {known})",
    ),
    "push.unapproved": (
        "Từ chối phát: bản tin {id} đang ở trạng thái '{state}', chưa được duyệt",
        "Refused: bulletin {id} is '{state}', not approved",
    ),
    "delivery.folder": (
        "Bộ điều khiển '{controller}': không ghi được {path} ({detail})",
        "Controller '{controller}': cannot write {path} ({detail})",
    ),
    "delivery.encode": (
        "Không chuyển được định dạng âm thanh: {detail}",
        "Cannot re-encode the audio: {detail}",
    ),
    "produce.encode": ("Không mã hoá được MP3: {detail}", "MP3 encoding failed: {detail}"),
    "produce.decode": (
        "Không đọc được tệp âm thanh {path}: {detail}",
        "Cannot decode the audio file {path}: {detail}",
    ),
    "produce.silent": (
        "Bản tin không có tiếng nói nào để dựng",
        "The bulletin has no speech to produce",
    ),
    "produce.too_short": (
        "Bản tin ngắn dưới 0,4 giây, không đo được độ lớn",
        "The programme is shorter than 0.4 s; its loudness cannot be measured",
    ),
    "unexpected": (
        "Lỗi không mong đợi ({kind}: {detail}); đặt BULLETIN_DEBUG=1 để xem chi tiết",
        "Unexpected error ({kind}: {detail}); set BULLETIN_DEBUG=1 for details",
    ),
    "config.name": (
        "Tên '{name}' không hợp lệ: chỉ dùng chữ, số, '-', '_' hoặc '.'",
        "Invalid name '{name}': use letters, digits, '-', '_' or '.'",
    ),
    "config.exists": ("'{name}' đã có trong {path}", "'{name}' already exists in {path}"),
    "config.no_entry": ("Không có '{name}' trong {path}", "No '{name}' in {path}"),
    "sources.added": ("Đã thêm nguồn '{name}' vào {path}", "Added source '{name}' to {path}"),
    "sources.removed": (
        "Đã xoá nguồn '{name}' khỏi {path}; các tin đã lấy vẫn được giữ",
        "Removed source '{name}' from {path}; announcements already fetched are kept",
    ),
    "sources.none": ("sources.yaml chưa có nguồn nào", "sources.yaml defines no source"),
    "sources.need_location": (
        "Cần --url (rss, page) hoặc --path (folder)",
        "Give --url (rss, page) or --path (folder)",
    ),
    "check.title": (
        "Nguồn '{name}': tìm thấy {count} tin (chưa lưu)",
        "Source '{name}': found {count} item(s) (not stored)",
    ),
    "add.done": ("Đã lưu thông báo số {id}: {title}", "Stored notice {id}: {title}"),
    "col.location": ("Địa chỉ", "Location"),
    "col.tags": ("Nhãn", "Tags"),
    "col.last_fetch": ("Lấy lần cuối", "Last fetch"),
    "col.stored": ("Đã lưu", "Stored"),
    "col.length": ("Độ dài", "Length"),
    "col.warning": ("Cảnh báo", "Warning"),
    "help.sources": ("Quản lý các nguồn tin (list, add, remove, check).", ""),
    "help.sources.list": ("Liệt kê các nguồn và lần lấy tin gần nhất.", ""),
    "help.sources.add": ("Thêm nguồn vào sources.yaml (giữ nguyên chú thích).", ""),
    "help.sources.remove": ("Xoá nguồn khỏi sources.yaml; tin đã lấy vẫn được giữ.", ""),
    "help.sources.check": ("Lấy thử một nguồn, không lưu gì; cho xem tìm thấy gì.", ""),
    "help.add": ("Nhập một thông báo bằng tay (--text hoặc -f TỆP).", ""),
    "opt.kind": ("Loại nguồn: rss, page hoặc folder.", ""),
    "opt.url": ("Địa chỉ RSS hoặc trang danh sách.", ""),
    "opt.path": ("Thư mục chứa thông báo (folder).", ""),
    "opt.priority": ("Mức ưu tiên: normal, priority, emergency.", ""),
    "opt.tags": ("Nhãn (có thể lặp lại).", ""),
    "opt.title": ("Tiêu đề thông báo.", ""),
    "opt.text": ("Nội dung thông báo.", ""),
    "summarize.no_model": (
        "Chưa cấu hình mô hình: đặt summary.seq2seq.model trong bulletin.yaml là thư mục mô hình "
        "(tải trên máy có Internet: hf download VietAI/vit5-base-vietnews-summarization "
        "--local-dir vit5)",
        "No model configured: set summary.seq2seq.model in bulletin.yaml to a model folder "
        "(download on a machine with internet: hf download "
        "VietAI/vit5-base-vietnews-summarization --local-dir vit5)",
    ),
    "summarize.fallback": (
        "Dùng bản tóm tắt trích câu vì: {reason}",
        "Extractive used because: {reason}",
    ),
    "col.engine": ("Bộ tóm tắt", "Engine"),
    "col.summary": ("Tóm tắt", "Summary"),
    "help.summarize": ("Tóm tắt một văn bản (hoặc hàng loạt bằng --jsonl).", ""),
    "opt.engine": ("Bộ tóm tắt: lead, extractive, seq2seq, llm.", ""),
    "opt.seconds": ("Độ dài tối đa tính bằng giây đọc.", ""),
    "opt.sentences": ("Số câu tối đa.", ""),
    "summarize.model_missing": (
        "Không tìm thấy mô hình tóm tắt '{model}' trên máy này (bulletin không tải mô hình khi "
        "chạy). Trên một máy có Internet, chạy: {hint}; rồi chép thư mục {folder} sang máy này "
        "và đặt summary.seq2seq.model: {folder} trong bulletin.yaml",
        "Summarization model '{model}' is not on this machine (bulletin never downloads models "
        "at run time). On a machine with internet, run: {hint}; then copy the folder {folder} "
        "here and set summary.seq2seq.model: {folder} in bulletin.yaml",
    ),
    "summarize.model_incomplete": (
        "Thư mục mô hình '{model}' thiếu {expected} nên không dùng được với backend {backend}. "
        "Tạo bằng: {hint}; rồi đặt summary.seq2seq.model: {folder}",
        "Model folder '{model}' has no {expected}, so the {backend} backend cannot use it. "
        "Make it with: {hint}; then set summary.seq2seq.model: {folder}",
    ),
    "summarize.model_unreadable": (
        "Không đọc được mô hình '{model}': {detail}",
        "Cannot read model '{model}': {detail}",
    ),
    "summarize.tokenizer_missing": (
        "Thư mục mô hình '{model}' không có bộ tách từ (tokenizer.json, tokenizer_config.json "
        "hoặc spiece.model); khi chuyển đổi bằng ct2-transformers-converter hãy thêm "
        "--copy_files spiece.model",
        "Model folder '{model}' has no tokenizer (tokenizer.json, tokenizer_config.json or "
        "spiece.model); convert with ct2-transformers-converter --copy_files spiece.model",
    ),
    "summarize.tokenizer_needs_sentencepiece": (
        "Bộ tách từ của '{model}' chỉ có tệp spiece.model; để đọc cần sentencepiece và "
        "protobuf: pip install 'bulletin[seq2seq]'",
        "The tokenizer of '{model}' is only a spiece.model file; reading it needs sentencepiece "
        "and protobuf: pip install 'bulletin[seq2seq]'",
    ),
    "summarize.extra_missing": (
        "Bộ tóm tắt này cần gói bổ sung: pip install 'bulletin[{extra}]'",
        "This summarizer needs extra packages: pip install 'bulletin[{extra}]'",
    ),
    "summarize.backend": (
        "Không có backend tóm tắt '{backend}' (có: {known})",
        "No seq2seq backend '{backend}' (known: {known})",
    ),
    "summarize.empty_output": (
        "Bộ tóm tắt {engine} ({model}) trả về bản tóm tắt rỗng",
        "The {engine} summarizer ({model}) returned an empty summary",
    ),
    "summarize.seq2seq_failed": (
        "Mô hình '{model}' không sinh được bản tóm tắt: {detail}",
        "Model '{model}' failed to generate a summary: {detail}",
    ),
    "summarize.llm_failed": (
        "Không lấy được bản tóm tắt từ mô hình ngôn ngữ tại {url}: {detail}",
        "No summary from the language model at {url}: {detail}",
    ),
    "summarize.llm_key_missing": (
        "Chưa đặt biến môi trường {env} (khoá API của mô hình ngôn ngữ)",
        "Environment variable {env} (the language model's API key) is not set",
    ),
    "summarize.unsupported": (
        "Bản tóm tắt của {engine} có chi tiết không có trong văn bản gốc: {facts}; "
        "dùng bản của {fallback}",
        "The {engine} summary states facts the source does not: {facts}; using {fallback} instead",
    ),
    "summarize.engine_failed": (
        "Bộ tóm tắt {engine} lỗi ({detail}); dùng bản của {fallback}",
        "Summarizer {engine} failed ({detail}); using {fallback} instead",
    ),
    "summarize.model": (
        "Bộ tóm tắt {name} không nạp được mô hình: {detail}",
        "Summarizer {name} cannot load its model: {detail}",
    ),
    "tts.failed": ("Lỗi tổng hợp giọng nói: {detail}", "Speech synthesis failed: {detail}"),
    "interrupted": (
        "Đã dừng theo yêu cầu (Ctrl-C); dữ liệu đã lưu vẫn nguyên vẹn",
        "Interrupted (Ctrl-C); what was stored is intact",
    ),
    "disk.full": ("Hết chỗ trên đĩa: {detail}", "Disk full: {detail}"),
    "os.error": ("Lỗi hệ thống: {detail}", "System error: {detail}"),
    # reports
    "init.done": (
        "Đã tạo không gian làm việc tại {path}. Bước tiếp theo: sửa sources.yaml rồi chạy "
        "'bulletin --workspace {path} fetch'",
        "Workspace created at {path}. Next: edit sources.yaml, then run "
        "'bulletin --workspace {path} fetch'",
    ),
    "fetch.title": ("Kết quả lấy tin", "Fetch results"),
    "fetch.failed_some": (
        "{count} nguồn bị lỗi; các nguồn khác đã được lưu",
        "{count} source(s) failed; the others were stored",
    ),
    "col.source": ("Nguồn", "Source"),
    "col.kind": ("Loại", "Kind"),
    "col.found": ("Tìm thấy", "Found"),
    "col.new": ("Mới", "New"),
    "col.status": ("Trạng thái", "Status"),
    "col.id": ("Số", "ID"),
    "col.title": ("Tiêu đề", "Title"),
    "col.published": ("Ngày đăng", "Published"),
    "col.priority": ("Mức", "Priority"),
    "col.controller": ("Bộ điều khiển", "Controller"),
    "col.state": ("Trạng thái", "State"),
    "col.bytes": ("Dung lượng", "Bytes"),
    "col.attempts": ("Lần thử", "Attempts"),
    "col.at": ("Lúc", "At"),
    "col.error": ("Lỗi", "Error"),
    "col.bulletin": ("Bản tin", "Bulletin"),
    "col.what": ("Mục", "What"),
    "col.value": ("Giá trị", "Value"),
    "col.text": ("Câu viết", "Written"),
    "col.spoken": ("Câu đọc", "Spoken"),
    "col.actor": ("Người", "Who"),
    "col.action": ("Việc", "Action"),
    "status.ok": ("xong", "ok"),
    "status.playable": ("dùng được", "playable"),
    "status.not_modified": ("không đổi", "not modified"),
    "status.error": ("lỗi", "error"),
    "items.none": (
        "Chưa có tin nào; chạy 'bulletin fetch'",
        "No announcements yet; run 'bulletin fetch'",
    ),
    "build.stage.select": ("Chọn tin và tóm tắt", "Selecting and summarizing"),
    "build.stage.script": ("Viết lời đọc", "Writing the script"),
    "build.stage.speak": ("Đọc các câu", "Speaking sentences"),
    "build.stage.produce": ("Dựng âm thanh", "Producing audio"),
    "build.done": (
        "Đã dựng bản tin {id}: {duration} giây, {lufs} LUFS. Nghe thử: 'bulletin preview {id}', "
        "duyệt: 'bulletin approve {id} --as TÊN'",
        "Built bulletin {id}: {duration} s, {lufs} LUFS. Listen: 'bulletin preview {id}', "
        "approve: 'bulletin approve {id} --as NAME'",
    ),
    "show.state": ("Trạng thái", "State"),
    "show.programme": ("Chương trình", "Programme"),
    "show.priority": ("Mức ưu tiên", "Priority"),
    "show.audio": ("Tệp âm thanh", "Audio file"),
    "show.duration": ("Thời lượng (giây)", "Duration (s)"),
    "show.loudness": ("Độ lớn (LUFS)", "Loudness (LUFS)"),
    "show.true_peak": ("Đỉnh thực (dBTP)", "True peak (dBTP)"),
    "show.items": ("Các tin", "Items"),
    "show.audit": ("Nhật ký duyệt", "Audit log"),
    "preview.no_player": (
        "Không có trình phát âm thanh trên máy này; mở tệp: {path}",
        "No audio player on this machine; open the file: {path}",
    ),
    "approve.first": (
        "Đã ghi nhận lượt duyệt của {user} cho bản tin khẩn {id}; cần thêm {needed} người "
        "duyệt khác",
        "Approval of emergency bulletin {id} by {user} recorded; {needed} more approver(s) needed",
    ),
    "approve.done": ("Bản tin {id} đã được {user} duyệt", "Bulletin {id} approved by {user}"),
    "reject.done": ("Bản tin {id} đã bị {user} từ chối", "Bulletin {id} rejected by {user}"),
    "push.title": ("Kết quả phát bản tin {id}", "Delivery of bulletin {id}"),
    "push.failed_some": ("Có bộ điều khiển nhận lỗi", "Some controllers failed"),
    "state.skipped": ("đã gửi trước đó", "already delivered"),
    "deliveries.none": ("Chưa có lần phát nào", "No deliveries yet"),
    "say.done": ("Đã ghi {path} ({duration} giây)", "Wrote {path} ({duration} s)"),
    "demo.title": ("Bản tin mẫu đã phát", "Demo bulletin delivered"),
    "demo.workspace": ("Không gian làm việc", "Workspace"),
    "demo.mp3": ("Tệp MP3 đã phát", "Delivered MP3"),
    "demo.step.fetch": ("Lấy tin từ các nguồn mẫu", "Fetching the sample sources"),
    "demo.step.build": ("Dựng bản tin", "Building the bulletin"),
    "demo.step.approve": ("Duyệt với tư cách 'demo'", "Approving as 'demo'"),
    "demo.step.push": ("Phát tới bộ điều khiển thư mục", "Pushing to the folder controller"),
    # command and option help (shown by --help in Vietnamese unless BULLETIN_LANG=en)
    "help.cli": (
        "bulletin: bản tin truyền thanh xã từ các nguồn tin chính thức.",
        "bulletin: commune loudspeaker bulletins from official sources.",
    ),
    "help.init": ("Tạo không gian làm việc mẫu có chú thích trong DIRECTORY.", ""),
    "help.demo": (
        "Chạy trọn quy trình trên dữ liệu mẫu và phát tới bộ điều khiển kiểu thư mục.",
        "",
    ),
    "help.fetch": ("Lấy tin từ các nguồn trong sources.yaml.", ""),
    "help.items": ("Liệt kê các tin đã lấy, mới nhất trước.", ""),
    "help.build": ("Dựng bản tin: chọn tin, tóm tắt, đọc và xuất MP3.", ""),
    "help.show": ("Xem bản tin: trạng thái, âm thanh, các tin, nhật ký duyệt.", ""),
    "help.preview": ("Đọc kịch bản (câu viết và câu đọc); --play để nghe.", ""),
    "help.approve": ("Duyệt bản tin đã dựng để được phép phát.", ""),
    "help.reject": ("Từ chối bản tin; bản tin này sẽ không bao giờ được phát.", ""),
    "help.push": (
        "Phát bản tin đã duyệt tới các bộ điều khiển, mỗi nơi một lần, có biên nhận.",
        "",
    ),
    "help.deliveries": ("Liệt kê các lần phát và biên nhận.", ""),
    "help.say": ("Đọc TEXT (đã chuẩn hoá kiểu phát thanh) ra tệp âm thanh.", ""),
    "help.normalize": ("Xem TEXT sẽ được đọc thế nào (số, ngày, số hiệu, viết tắt).", ""),
    "opt.as_json": ("In một tài liệu JSON ra stdout.", ""),
    "opt.workspace": (
        "Thư mục làm việc (mặc định: $BULLETIN_WORKSPACE, rồi thư mục hiện tại trở lên).",
        "",
    ),
    "opt.demo_dir": ("Nơi tạo không gian làm việc mẫu (mặc định: một thư mục tạm mới).", ""),
    "opt.only": ("Chỉ lấy tin từ nguồn này.", ""),
    "opt.since": ("Chỉ các tin đăng từ ngày này (YYYY-MM-DD).", ""),
    "opt.programme": ("Chương trình (tệp trong schedules/, bỏ .yaml).", ""),
    "opt.item_ids": ("Số tin cần đưa vào (có thể lặp lại).", ""),
    "opt.voice": ("Giọng đọc (tệp trong voices/, bỏ .yaml).", ""),
    "opt.play": ("Phát âm thanh bằng trình phát có trên máy.", ""),
    "opt.user": ("Người duyệt / từ chối (ghi vào nhật ký).", ""),
    "opt.note": ("Ghi chú cho nhật ký duyệt.", ""),
    "opt.reason": ("Lý do (ghi vào nhật ký).", ""),
    "opt.target": ("Bộ điều khiển hoặc nhóm (mặc định: tất cả).", ""),
    "opt.text_file": ("Đọc văn bản từ tệp ('-' là stdin).", ""),
    "opt.out": ("Tệp ra (.mp3 hoặc .wav).", ""),
    "opt.jsonl": ('Chạy hàng loạt: mỗi dòng một đối tượng {"id", "text"} ("-" là stdin).', ""),
    "opt.explain": ("Cho biết quy tắc nào tạo ra từng cách đọc.", ""),
    "opt.region": ("Phương ngữ đọc số (north: Bắc, south: Nam).", ""),
    # engines by name (bulletin/plugins.py) and their own settings
    "plugin.unknown.sources": (
        "Không có loại nguồn '{name}' (có: {known})",
        "No source kind '{name}' (known: {known})",
    ),
    "plugin.unknown.summarizers": (
        "Không có bộ tóm tắt '{name}' (có: {known})",
        "No summarizer '{name}' (known: {known})",
    ),
    "plugin.unknown.tts": (
        "Không có bộ tổng hợp giọng nói '{name}' (có: {known})",
        "No speech engine '{name}' (known: {known})",
    ),
    "plugin.unknown.transports": (
        "Không có cách chuyển bản tin '{name}' (có: {known})",
        "No transport '{name}' (known: {known})",
    ),
    "plugin.import": (
        "Không nạp được '{name}' ({target}): {detail}; cài đặt: pip install '{requirement}'",
        "Cannot load '{name}' ({target}): {detail}; install it: pip install '{requirement}'",
    ),
    "plugin.contract": (
        "'{name}' ({target}) không dùng được: thiếu {missing}",
        "'{name}' ({target}) cannot be used: it has no {missing}",
    ),
    "plugin.section": (
        "không có mục '{entry}'; thiết lập riêng của '{engine}' đặt trong mục '{engine}:'",
        "no key '{entry}' here; settings of '{engine}' go under '{engine}:'",
    ),
    "plugin.sections": (
        "không có mục '{entry}'; thiết lập riêng của từng bộ đặt trong mục mang tên bộ đó "
        "({known})",
        "no key '{entry}' here; each engine's own settings go under its name ({known})",
    ),
}


def _merge() -> None:
    from bulletin.texts import gathered

    for key, pair in gathered().items():
        if key in CATALOG:
            raise RuntimeError(f"message key {key} defined twice (bulletin/texts)")
        CATALOG[key] = pair


_merge()


def language(lang: str | None = None) -> str:
    """The language to speak: `lang` when given (a web request's), else $BULLETIN_LANG."""
    chosen = lang if lang is not None else os.environ.get("BULLETIN_LANG", "vi")
    return "en" if chosen.lower().startswith("en") else "vi"


def t(key: str, *, lang: str | None = None, **params: Any) -> str:
    """The message for `key` in `lang` (default: the user's language), filled with `params`."""
    pair = CATALOG.get(key)
    if pair is None:
        return key + (f" {params}" if params else "")
    template = pair[1] if language(lang) == "en" else pair[0]
    for name in ("action", "what"):
        value = params.get(name)
        if isinstance(value, str) and f"{name}.{value}" in CATALOG:
            # Actions and kinds of things are named in code; people read them in their language.
            params = {**params, name: t(f"{name}.{value}", lang=lang)}
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template
