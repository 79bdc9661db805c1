# Trò chuyện với bot trong cửa sổ dòng lệnh (baocao chat)
console-bot-title = baocao
console-prompt = Bạn ›{ " " }
console-welcome = Bạn đang trò chuyện với bot ngay trong cửa sổ dòng lệnh. Gõ nội dung rồi nhấn Enter; gửi tệp bằng /gui ĐƯỜNG-DẪN (hoặc dán đường dẫn của tệp); khi bot đưa các lựa chọn đánh số, gõ số để chọn. Các lệnh: /baocao, /lich, /tinhhinh, /huy, /huongdan. Gõ /thoat (hoặc Ctrl-D) để kết thúc.
console-bye = Đã kết thúc cuộc trò chuyện.
console-file-how = Gõ /gui rồi đường dẫn của tệp, ví dụ: /gui ~/Documents/bao-cao.docx
console-file-missing = Không tìm thấy tệp «{ $path }». Hãy kiểm tra lại đường dẫn (có thể kéo tệp vào cửa sổ này để dán đường dẫn).
cli-chat-help = Trò chuyện với bot ngay trong cửa sổ dòng lệnh, như một người liên hệ: để thử bot khi chưa có Telegram. Ví dụ: baocao chat --as phong-ttbcxb
cli-opt-chat-as = Trò chuyện với tư cách: mã một đơn vị (đầu mối đơn vị), office (cán bộ Văn phòng), leader (lãnh đạo), hoặc số của một người trong «baocao contacts».
cli-metavar-chat-as = AI
cli-chat-no-plan = Chưa có kế hoạch nào được nạp. Hãy nạp kế hoạch trước: baocao plan apply TỆP-KẾ-HOẠCH
cli-chat-no-contact = Không có người liên hệ số { $number } (hoặc người đó đã bị gỡ). Xem danh sách bằng: baocao contacts
cli-chat-no-unit-of-kind = Kế hoạch không có đơn vị nào cho vai trò { $role }.
cli-chat-unknown-unit = Không có đơn vị «{ $unit }» trong kế hoạch. Các mã đơn vị: { $units }. Hoặc dùng office, leader, hay số của một người trong «baocao contacts».
cli-chat-person = Người thử ({ $unit })
console-file-saved = Tệp «{ $name }» đã được lưu tại: { $path }
