"""Editing a built bulletin: spoken forms, removing and moving items, listening before approval."""

TEXTS: dict[str, tuple[str, str]] = {
    "edit.spoken_empty": (
        "Cách đọc của câu số {index} (bản tin {id}) đang để trống; hãy ghi cách đọc cho câu này",
        "The spoken form of sentence {index} (bulletin {id}) is empty; write how it is read",
    ),
    "edit.items_empty": (
        "Bản tin {id} phải còn ít nhất một tin; muốn bỏ cả bản tin thì dùng "
        "'bulletin reject {id} --as TÊN --reason LÝ_DO'",
        "Bulletin {id} must keep at least one item; to drop the whole bulletin, use "
        "'bulletin reject {id} --as NAME --reason WHY'",
    ),
    "edit.no_item": (
        "Bản tin {id} không có tin số {position} (các tin hiện có: {known}; xem bằng "
        "'bulletin show {id}')",
        "Bulletin {id} has no item {position} (its items are {known}; see 'bulletin show {id}')",
    ),
    "edit.item_twice": (
        "Tin số {position} của bản tin {id} được nêu hai lần; mỗi tin chỉ xếp vào một chỗ",
        "Item {position} of bulletin {id} is given twice; each item takes one place",
    ),
    "edit.no_item_target": (
        "Không chuyển được tin tới vị trí {to}: bản tin {id} có {count} tin (vị trí từ 1 "
        "đến {count})",
        "Cannot move the item to place {to}: bulletin {id} has {count} item(s) (places 1 to "
        "{count})",
    ),
    "edit.usage_sentence": (
        "--sentence SỐ cần đi kèm --text CÂU, --spoken CÁCH_ĐỌC hoặc cả hai",
        "--sentence N needs --text TEXT, --spoken TEXT or both",
    ),
    "edit.usage_move": (
        "--move-item SỐ và --to VỊ_TRÍ phải đi cùng nhau",
        "--move-item N and --to PLACE go together",
    ),
    "edit.usage_one": (
        "Mỗi lần chỉ sửa một việc: một câu (--sentence), bỏ tin (--remove-item) hoặc chuyển "
        "một tin (--move-item SỐ --to VỊ_TRÍ)",
        "One kind of edit at a time: a sentence (--sentence), removing items (--remove-item) "
        "or moving one item (--move-item N --to PLACE)",
    ),
    "edit.items_done": (
        "Đã sửa danh sách tin của bản tin {id}: còn {count} tin, đọc lại {synthesized} câu. "
        "Bản tin cần được duyệt lại: 'bulletin approve {id} --as TÊN'",
        "Edited the items of bulletin {id}: {count} item(s) left, {synthesized} sentence(s) "
        "spoken again. It needs approval again: 'bulletin approve {id} --as NAME'",
    ),
    "edit.items_nothing": (
        "Các tin và thứ tự của chúng không thay đổi",
        "The items and their order are unchanged",
    ),
    # Audit reasons: what an item edit did, and the editor's note when there is one.
    "edit.audit_removed": ("Bỏ tin số {removed}", "Removed item(s) {removed}"),
    "edit.audit_removed_note": (
        "Bỏ tin số {removed}. Ghi chú: {note}",
        "Removed item(s) {removed}. Note: {note}",
    ),
    "edit.audit_reordered": (
        "Xếp lại thứ tự các tin (theo số cũ): {order}",
        "Items reordered (by their old numbers): {order}",
    ),
    "edit.audit_reordered_note": (
        "Xếp lại thứ tự các tin (theo số cũ): {order}. Ghi chú: {note}",
        "Items reordered (by their old numbers): {order}. Note: {note}",
    ),
    "edit.audit_items": (
        "Bỏ tin số {removed}, xếp lại các tin còn lại (theo số cũ): {order}",
        "Removed item(s) {removed}, the rest reordered (by their old numbers): {order}",
    ),
    "edit.audit_items_note": (
        "Bỏ tin số {removed}, xếp lại các tin còn lại (theo số cũ): {order}. Ghi chú: {note}",
        "Removed item(s) {removed}, the rest reordered (by their old numbers): {order}. "
        "Note: {note}",
    ),
    "preview.no_audio": (
        "Bản tin {id} chưa có âm thanh để nghe",
        "Bulletin {id} has no audio to listen to yet",
    ),
    "preview.wav": (
        "Không có trình phát âm thanh trên máy này; đã ghi bản nghe thử dạng WAV: {path}",
        "No audio player on this machine; a WAV to listen to was written to {path}",
    ),
    "preview.wav_failed": (
        "Không có trình phát âm thanh và không chuyển được sang WAV ({detail}); mở tệp: {path}",
        "No audio player, and the WAV could not be made ({detail}); open the file: {path}",
    ),
    "opt.new_spoken": (
        "Cách đọc mới của câu, dùng đúng như đã ghi (ví dụ để đọc đúng số hoặc tên riêng).",
        "",
    ),
    "opt.remove_items": (
        "Bỏ tin số này khỏi bản tin (lặp lại được; xem số tin bằng 'bulletin show').",
        "",
    ),
    "opt.move_item": ("Chuyển tin số này sang vị trí --to.", ""),
    "opt.move_to": ("Vị trí mới của tin được chuyển (1 là tin đầu tiên).", ""),
    "edit.reading_empty": (
        "Cần cả từ (như trong chữ viết) và cách đọc đúng của nó",
        "Both the word (as written) and its right reading are needed",
    ),
    "edit.reading_long": (
        "Từ và cách đọc dài tối đa {limit} ký tự",
        "The word and its reading are at most {limit} characters long",
    ),
    "edit.reading_absent": (
        "Không câu nào của bản tin {id} có '{word}' (viết đúng như trong câu, kể cả dấu và "
        "chữ hoa)",
        "No sentence of bulletin {id} holds '{word}' (write it exactly as in the sentence, "
        "with its marks and capitals)",
    ),
}
