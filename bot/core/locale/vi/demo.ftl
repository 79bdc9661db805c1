# Bản chạy thử (baocao demo): một mùa báo cáo của kế hoạch mẫu, thời gian chạy nhanh
cli-demo-help = Chạy thử baocao: một mùa báo cáo của kế hoạch mẫu trong chưa đầy một phút, không cần mã bot, không cần mạng. Dữ liệu nằm ở thư mục tạm, không đụng đến dữ liệu thật.
cli-opt-demo-speed = Tốc độ: 2 là nhanh gấp đôi, 0.5 là chậm một nửa (mặc định 1).
cli-opt-demo-keep = Giữ dữ liệu của bản chạy thử trong thư mục này (thư mục trống hoặc chưa có) để xem tiếp bằng các lệnh khác.
cli-metavar-speed = SỐ
cli-metavar-folder = THƯ-MỤC
demo-intro = Bản chạy thử baocao: một mùa báo cáo của kế hoạch mẫu, từ { $start } đến { $end }. Thời gian chạy nhanh; bot, lịch nhắc và cơ sở dữ liệu là thật, chạy trong thư mục tạm; không cần mã bot, không cần mạng. Mọi người ở đây trò chuyện với bot qua cửa sổ dòng lệnh (trên thực tế là Telegram hoặc Zalo).
demo-step-plan = ① Văn phòng nạp kế hoạch (baocao plan apply):
demo-step-invites = ② Văn phòng tạo lời mời (baocao invite) cho đầu mối các đơn vị, cán bộ Văn phòng và lãnh đạo; mỗi người gửi mã mời cho bot để đăng ký. Cán bộ Văn phòng gắn nhóm của Văn phòng (/nhom) để nhận tóm tắt.
demo-step-time = ③ Thời gian chạy nhanh, mỗi bước nửa giờ. Bot nhắc trước hạn vào ngày làm việc, gửi tóm tắt cho nhóm Văn phòng và bản tin cho lãnh đạo; các đơn vị nộp báo cáo (tệp Word, văn bản, bản sửa); một đơn vị trễ hạn và được nhắc tiếp.
demo-step-status = ④ Tình hình cuối mùa (baocao status):
demo-end = Hết bản chạy thử: { $seconds } giây cho { $days } ngày.
demo-end-removed = Dữ liệu của bản chạy thử đã được xóa. Muốn giữ lại để xem tiếp: baocao demo --keep THƯ-MỤC
demo-end-kept = Dữ liệu của bản chạy thử ở { $folder }. Xem tiếp, ví dụ: BAOCAO_DATA_DIR={ $data } baocao status (hoặc baocao contacts, baocao reminders, baocao chat --as office).
demo-next = Dùng thật: tạo bot Telegram với @BotFather, ghi mã vào tệp .env (BAOCAO_TELEGRAM_TOKEN=...), rồi chạy make run.
demo-keep-not-empty = Thư mục { $folder } đã có dữ liệu. Hãy chọn một thư mục trống hoặc chưa có.
demo-keep-not-folder = { $folder } không phải là thư mục.
demo-speed-invalid = Tốc độ phải là một số lớn hơn 0 và không quá 1000, ví dụ 2 hoặc 0.5.
demo-bot = baocao
demo-message-title = { $time } { $sender } → { $recipient }
demo-in-group = { $person } trong { $group }
demo-group-title = Nhóm { $office }
demo-people = Nguyễn Văn An, Trần Thị Bình, Lê Minh Châu, Phạm Thu Dung, Hoàng Quốc Huy
demo-sends-file = (gửi tệp) { $name }
demo-docx-name = Báo cáo { $unit }.docx
demo-docx-body = Bản số { $version }. Kết quả thực hiện dân chủ ở cơ sở trong kỳ: đã phổ biến kế hoạch đến toàn thể công chức; tổ chức hội nghị cán bộ, công chức; công khai các nội dung theo quy định.
demo-text-report = Phòng đã triển khai kế hoạch đến 100% công chức, tổ chức 2 buổi đối thoại, không có đơn thư khiếu nại trong kỳ.
demo-stopped = Đã dừng bản chạy thử; dữ liệu tạm đã được xóa.
demo-stopped-kept = Đã dừng bản chạy thử; dữ liệu đến lúc dừng vẫn ở { $folder }.
