"""What the review desk (`bulletin serve`) says: pages, buttons, refusals."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "desk.nobody_can_sign_in": (
        "Chưa ai đăng nhập được bàn duyệt: thêm người có mật khẩu bằng 'bulletin users add TÊN "
        "--role approver --password-stdin'",
        "Nobody can sign in to the review desk yet: add a person with a password with "
        "'bulletin users add NAME --role approver --password-stdin'",
    ),
    "desk.title": ("Bàn duyệt bản tin", "Bulletin review desk"),
    "desk.skip": ("Bỏ qua, tới nội dung chính", "Skip to the main content"),
    "desk.nav.bulletins": ("Bản tin", "Bulletins"),
    "desk.nav.controllers": ("Loa và bộ điều khiển", "Speakers and controllers"),
    "desk.signed_in_as": ("Đang đăng nhập: {name} ({roles})", "Signed in: {name} ({roles})"),
    "desk.sign_out": ("Đăng xuất", "Sign out"),
    "desk.language": ("Ngôn ngữ", "Language"),
    "desk.language.vi": ("Tiếng Việt", "Tiếng Việt"),
    "desk.language.en": ("English", "English"),
    "desk.bad_language": (
        "Không có ngôn ngữ '{code}' (có: {known})",
        "No language '{code}' (known: {known})",
    ),
    "desk.role.editor": ("biên tập viên", "editor"),
    "desk.role.approver": ("người duyệt", "approver"),
    "desk.role.admin": ("quản trị", "admin"),
    # sign-in
    "desk.sign_in": ("Đăng nhập", "Sign in"),
    "desk.sign_in.intro": (
        "Đăng nhập để nghe, sửa và duyệt bản tin phát trên loa của xã.",
        "Sign in to listen to, fix and approve the bulletins your commune's speakers air.",
    ),
    "desk.user_name": ("Tên đăng nhập", "User name"),
    "desk.password": ("Mật khẩu", "Password"),
    "desk.signed_out": ("Bạn đã đăng xuất.", "You have signed out."),
    "desk.session_ended": (
        "Phiên làm việc đã hết hạn hoặc chưa đăng nhập; hãy đăng nhập.",
        "Your session has ended or you have not signed in; please sign in.",
    ),
    "desk.too_many_attempts": (
        "Đăng nhập sai quá nhiều lần; hãy thử lại sau {minutes} phút.",
        "Too many failed sign-ins; try again in {minutes} minutes.",
    ),
    # refusals
    "desk.forbidden": ("Không được phép", "Not allowed"),
    "desk.csrf": (
        "Biểu mẫu đã cũ hoặc không hợp lệ; hãy tải lại trang và làm lại.",
        "The form is out of date or invalid; reload the page and try again.",
    ),
    "desk.needs_role": (
        "Việc này cần vai trò {role}; vai trò của bạn: {roles}.",
        "This needs the {role} role; your roles: {roles}.",
    ),
    "desk.not_found": ("Không tìm thấy trang này.", "This page does not exist."),
    "desk.back": ("Quay lại danh sách bản tin", "Back to the bulletins"),
    # the list
    "desk.list.title": ("Bản tin", "Bulletins"),
    "desk.list.all": ("Tất cả", "All"),
    "desk.list.empty": ("Không có bản tin nào ở đây.", "No bulletins here."),
    "desk.list.today": ("hôm nay", "today"),
    "desk.list.needs_you": (
        "{count} bản tin đang chờ duyệt.",
        "{count} bulletins are waiting for approval.",
    ),
    "desk.col.id": ("Số", "No."),
    "desk.col.programme": ("Chương trình", "Programme"),
    "desk.col.state": ("Trạng thái", "State"),
    "desk.col.air_at": ("Giờ phát", "Air time"),
    "desk.col.created": ("Tạo lúc", "Made"),
    "desk.col.duration": ("Thời lượng", "Length"),
    "desk.col.priority": ("Mức ưu tiên", "Priority"),
    "desk.state.draft": ("Bản nháp", "Draft"),
    "desk.state.built": ("Chờ duyệt", "Waiting for approval"),
    "desk.state.approved": ("Đã duyệt", "Approved"),
    "desk.state.scheduled": ("Đã lên lịch", "Scheduled"),
    "desk.state.delivering": ("Đang gửi", "Sending"),
    "desk.state.delivered": ("Đã gửi tới loa", "Delivered"),
    "desk.state.failed": ("Gửi lỗi", "Failed"),
    "desk.state.rejected": ("Đã từ chối", "Rejected"),
    "desk.priority.emergency": ("Khẩn cấp", "Emergency"),
    "desk.priority.priority": ("Ưu tiên", "Priority"),
    "desk.priority.normal": ("Bình thường", "Normal"),
    "desk.no_air_time": ("chưa đặt", "not set"),
    # one bulletin
    "desk.bulletin.title": ("Bản tin số {id}", "Bulletin {id}"),
    "desk.bulletin.listen": ("Nghe cả bản tin", "Listen to the whole bulletin"),
    "desk.bulletin.no_audio": ("Bản tin chưa có âm thanh.", "This bulletin has no audio yet."),
    "desk.bulletin.figures": (
        "Độ lớn {lufs} LUFS, đỉnh {peak} dBTP, {size} MB",
        "Loudness {lufs} LUFS, peak {peak} dBTP, {size} MB",
    ),
    "desk.bulletin.pictures_failed": (
        "Không vẽ được hình âm thanh: {detail}",
        "Could not draw the audio pictures: {detail}",
    ),
    "desk.wave": ("Dạng sóng của bản tin", "The bulletin's waveform"),
    "desk.loudness": ("Độ lớn theo thời gian (LUFS)", "Loudness over time (LUFS)"),
    "desk.target": ("Mục tiêu", "Target"),
    "desk.script": ("Lời đọc", "Script"),
    "desk.findings": ("Điểm cần xem lại ({count})", "To look at ({count})"),
    "desk.findings.sentence": ("câu {index}", "sentence {index}"),
    "desk.script.help": (
        "Mỗi câu có chữ viết và cách đọc. Bấm ▶ để nghe từng câu; bấm Sửa để sửa chữ hoặc "
        "cách đọc. Chỉ câu được sửa mới được đọc lại, và bản tin phải được duyệt lại.",
        "Each sentence has its written form and how it is read. Press ▶ to hear a sentence; "
        "press Edit to fix its text or its reading. Only the sentence you fix is spoken "
        "again, and the bulletin must be approved again.",
    ),
    "desk.part.opening": ("Mở đầu", "Opening"),
    "desk.part.closing": ("Kết thúc", "Closing"),
    "desk.item": ("Tin {number}: {title}", "Item {number}: {title}"),
    "desk.written": ("Chữ viết", "Written"),
    "desk.spoken": ("Cách đọc", "Read as"),
    "desk.spoken.same": ("đúng như chữ viết", "as written"),
    "desk.play": ("Nghe câu {number}", "Play sentence {number}"),
    "desk.edit": ("Sửa", "Edit"),
    "desk.busy": ("Đang gửi…", "Sending…"),
    "desk.busy.speaking": (
        "Đang đọc lại câu và dựng lại bản tin…",
        "Speaking the sentence again and rebuilding the bulletin…",
    ),
    "desk.save": ("Lưu và đọc lại câu này", "Save and re-read this sentence"),
    "desk.edit.help": (
        "Sửa cách đọc khi máy đọc sai một từ (ví dụ viết tắt, tên riêng); sửa chữ viết khi "
        "câu sai.",
        "Fix the reading when the voice misreads a word (an abbreviation, a name); fix the "
        "written text when the sentence itself is wrong.",
    ),
    "desk.edited": (
        "Đã sửa {changed} câu, đọc lại {synthesized} câu. Bản tin cần được duyệt lại.",
        "{changed} sentences changed, {synthesized} spoken again. The bulletin needs approval "
        "again.",
    ),
    "desk.edited.nothing": ("Không có gì thay đổi.", "Nothing changed."),
    "desk.edited.waiting": (
        "Đã sửa {changed} câu, đọc lại {synthesized} câu. Bản tin vẫn chờ duyệt.",
        "{changed} sentences changed, {synthesized} spoken again. The bulletin is still "
        "waiting for approval.",
    ),
    "desk.reading": ("Sửa cách đọc một từ trong cả bản tin", "Fix how a word is read everywhere"),
    "desk.reading.help": (
        "Khi máy đọc sai một từ (tên riêng, chữ viết tắt), sửa một lần ở đây: mọi câu có từ "
        "đó được đọc lại.",
        "When the voice misreads a word (a name, an abbreviation), fix it once here: every "
        "sentence holding it is read again.",
    ),
    "desk.reading.written": (
        "Từ như trong chữ viết (ví dụ: UBND, Minh Hòa)",
        "The word as written (e.g. UBND)",
    ),
    "desk.reading.spoken": (
        "Đọc là (ví dụ: Ủy ban nhân dân)",
        "Read as (e.g. People's Committee, in Vietnamese)",
    ),
    "desk.reading.remember": (
        "Ghi vào từ điển của đài, để các bản tin sau cũng đọc đúng",
        "Add it to the station's lexicon, so later bulletins read it right too",
    ),
    "desk.reading.save": ("Sửa cách đọc", "Fix the reading"),
    "desk.reading_fixed": (
        "Đã sửa cách đọc trong {count} câu, đọc lại {synthesized} câu.",
        "The reading was fixed in {count} sentences; {synthesized} spoken again.",
    ),
    "desk.reading_remembered": (
        "Đã sửa cách đọc trong {count} câu, đọc lại {synthesized} câu, và ghi vào từ điển của đài.",
        "The reading was fixed in {count} sentences ({synthesized} spoken again) and added "
        "to the station's lexicon.",
    ),
    "desk.jump_to_review": (
        "Nghe và đọc xong? Tới phần duyệt ↓",
        "Listened and read? Go to review ↓",
    ),
    "desk.level.ok": (
        "Âm lượng đạt chuẩn của đài.",
        "The loudness meets the station's standard.",
    ),
    "desk.level.off": (
        "Âm lượng lệch chuẩn của đài: hãy báo kỹ thuật viên.",
        "The loudness is off the station's standard: tell the technician.",
    ),
    "desk.items_edited": (
        "Đã sửa danh sách tin. Bản tin cần được duyệt lại.",
        "The items were changed. The bulletin needs approval again.",
    ),
    "desk.cannot_edit": (
        "Bản tin ở trạng thái '{state}' không sửa được nữa.",
        "A bulletin in state '{state}' can no longer be edited.",
    ),
    "desk.source": ("Nguồn: {source}", "Source: {source}"),
    "desk.source.link": ("Mở bài gốc", "Open the original"),
    "desk.source.published": ("Đăng ngày {date}", "Published {date}"),
    "desk.engine": ("tóm tắt: {engine}", "summary: {engine}"),
    "desk.engine.lead": ("lấy các câu đầu", "the opening sentences"),
    "desk.engine.extractive": ("chọn câu chính", "key sentences chosen"),
    "desk.engine.seq2seq": ("mô hình tóm tắt", "summarization model"),
    "desk.engine.llm": ("mô hình ngôn ngữ", "language model"),
    "desk.summary_note": ("Ghi chú tóm tắt: {note}", "Summary note: {note}"),
    "desk.merged": (
        "Đã gộp thêm {count} tin trùng nội dung (tin số {ids})",
        "{count} near-duplicate announcement(s) merged into this one (no. {ids})",
    ),
    "desk.item.up": ("Lên", "Up"),
    "desk.item.down": ("Xuống", "Down"),
    "desk.item.remove": ("Bỏ tin này", "Remove this item"),
    "desk.item.move_up": ("Chuyển tin {number} lên trước", "Move item {number} up"),
    "desk.item.move_down": ("Chuyển tin {number} xuống sau", "Move item {number} down"),
    # review
    "desk.review": ("Duyệt", "Review"),
    "desk.approve": ("Duyệt cho phát", "Approve for air"),
    "desk.reject": ("Từ chối", "Reject"),
    "desk.note": ("Ghi chú (không bắt buộc)", "Note (optional)"),
    "desk.reason": ("Lý do từ chối", "Why it is rejected"),
    "desk.approved_by": ("Đã duyệt: {names}", "Approved by: {names}"),
    "desk.approved_by.none": ("Chưa ai duyệt bản âm thanh này.", "Nobody has approved this audio."),
    "desk.needed": (
        "Cần thêm {count} người duyệt khác.",
        "{count} more approver(s) needed.",
    ),
    "desk.needed.first": ("Cần {count} người duyệt.", "{count} approver(s) needed."),
    "desk.two_person": (
        "Tin khẩn cấp: cần hai người duyệt khác nhau.",
        "Emergency: two different approvers are needed.",
    ),
    "desk.only_approvers": (
        "Chỉ người có vai trò người duyệt mới duyệt hoặc từ chối được (vai trò của bạn: {roles}).",
        "Only approvers can approve or reject (your roles: {roles}).",
    ),
    "desk.already_approved_by_you": (
        "Bạn đã duyệt bản này; cần một người duyệt khác.",
        "You have approved this; another approver is needed.",
    ),
    "desk.not_reviewable": (
        "Không cần duyệt: bản tin đang ở trạng thái “{state}”.",
        "Nothing to approve: the bulletin is “{state}”.",
    ),
    "desk.approved": ("Đã duyệt bản tin {id}.", "Bulletin {id} approved."),
    "desk.approved_first": (
        "Đã ghi nhận bạn duyệt. Cần thêm {count} người duyệt khác.",
        "Your approval is recorded. {count} more approver(s) needed.",
    ),
    "desk.rejected": ("Đã từ chối bản tin {id}.", "Bulletin {id} rejected."),
    "desk.audit": ("Nhật ký", "Audit trail"),
    "desk.audit.at": ("Lúc", "At"),
    "desk.audit.who": ("Ai", "Who"),
    "desk.audit.what": ("Việc", "What"),
    "desk.audit.why": ("Lý do", "Why"),
    # controllers
    "desk.controllers.title": ("Loa và bộ điều khiển", "Speakers and controllers"),
    "desk.controllers.empty": (
        "Chưa khai báo bộ điều khiển nào (controllers.yaml).",
        "No controllers are configured (controllers.yaml).",
    ),
    "desk.controllers.broken": (
        "Không đọc được danh sách bộ điều khiển: {detail}",
        "Cannot read the controllers: {detail}",
    ),
    "desk.col.controller": ("Bộ điều khiển", "Controller"),
    "desk.col.commune": ("Xã", "Commune"),
    "desk.col.transport": ("Giao thức", "Protocol"),
    "desk.col.last_delivery": ("Lần gửi gần nhất", "Last delivery"),
    "desk.col.last_status": ("Tình trạng gần nhất", "Last status"),
    "desk.col.last_seen": ("Thấy lần cuối", "Last seen"),
    "desk.never": ("chưa có", "never"),
    "desk.disabled": ("đang tắt", "disabled"),
}
