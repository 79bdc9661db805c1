## Tin nhắc hạn, danh sách trễ hạn, tóm tắt gửi Văn phòng và lãnh đạo

reminder =
    Nhắc hạn: báo cáo «{ $report }» của { $unit }, { $deadline }. { $when }
    { $received }
    { reminder-how }
reminder-days-left = Còn { $days } ngày.
reminder-last-day = Hôm nay là ngày cuối: hạn chót trước { $deadline }.
reminder-late-days = Đã trễ hạn { $days } ngày làm việc.
reminder-late-today = Đã quá hạn.
reminder-nothing-received = Bot chưa nhận được báo cáo nào của đơn vị.
reminder-received = Bot đã nhận { $versions } phiên bản, mới nhất lúc { $at }.
button-submit-now = Nộp ngay
reminder-submit-how = Hãy gửi tệp (Word, PDF, Excel...), ảnh hoặc nội dung cho báo cáo «{ $name }» vào đây.
reminder-submit-how-web = Hãy gửi ảnh hoặc nội dung cho báo cáo «{ $name }» vào đây; tệp (Word, PDF, Excel...) thì nộp trên trang web baocao.
reminder-report-closed = Báo cáo này không còn mở để nộp.

late-list-title = Báo cáo «{ $report }» ({ $deadline }): { $count }/{ $total } đơn vị chưa nộp, đã trễ { $days } ngày làm việc.
late-list-unit = • { $unit }
escalation-title = Báo cáo lãnh đạo: đơn vị trễ hạn nộp báo cáo.
digest-title = Tóm tắt tình hình nộp báo cáo hôm nay:
ready = Tất cả { $count } đơn vị đã nộp báo cáo «{ $report }». Văn phòng có thể bắt đầu tổng hợp: { $compiled }.
office-unreachable = Không gửi được tin nhắc cho { $name } ({ $unit }): người này đã chặn bot hoặc không còn dùng Telegram. Hãy liên hệ trực tiếp, hoặc mời người khác làm đầu mối.

## Lệnh «baocao reminders»: lịch nhắc cho Văn phòng (sắp gửi, đã gửi, bị lỡ, người không nhắn được)

cli-reminders-help = Xem lịch nhắc hạn: tin sắp gửi, tin đã gửi, tin bị lỡ (và vì sao), người không nhắn được.
cli-opt-reminders-missed = Chỉ xem các tin nhắc bị lỡ.
cli-opt-reminders-limit = Số dòng tối đa của mỗi danh sách.
cli-metavar-count = SỐ-DÒNG
cli-reminders-none = Chưa có tin nhắc nào. Nạp kế hoạch: baocao plan apply TỆP-KẾ-HOẠCH.yaml
cli-reminders-no-missed = Không có tin nhắc nào bị lỡ.
cli-reminders-upcoming = Sắp gửi: { $count } tin nhắc (gần nhất trước).
cli-reminders-sent = Đã gửi: { $count } tin nhắc (mới nhất trước).
cli-reminders-missed = Bị lỡ: { $count } tin nhắc không gửi được kịp lúc.
cli-reminders-more = … và { $count } tin nữa. Xem hết: thêm --limit { $total }
cli-reminders-unreachable = Không nhắn được cho { $count } người (đã chặn bot hoặc không còn dùng ứng dụng); hãy liên hệ trực tiếp hoặc mời người khác làm đầu mối:
cli-col-reminder-at = Hẹn lúc
cli-col-report = Báo cáo
cli-col-recipient = Gửi cho
cli-col-kind = Loại tin
cli-col-sent-at = Đã gửi lúc
cli-col-reason = Lý do
cli-col-since = Từ lúc
cli-reminder-to-office = Văn phòng
cli-reminder-to-leadership = Lãnh đạo
cli-reminder-kind-unit = nhắc trước hạn ({ $rule })
cli-reminder-kind-last-day = nhắc ngày cuối
cli-reminder-kind-overdue = nhắc trễ hạn
cli-reminder-kind-summary = tình hình nộp, gửi Văn phòng
cli-reminder-kind-late-list = danh sách đơn vị trễ hạn
cli-reminder-kind-escalation = báo lãnh đạo đơn vị trễ hạn
cli-reminder-kind-digest = tóm tắt hằng ngày cho lãnh đạo
cli-reminder-kind-ready = báo Văn phòng bắt đầu tổng hợp
cli-reminder-missed-deadline-passed = Không gửi được trước hạn nộp (bot ngừng chạy hoặc không gửi được qua ứng dụng); đơn vị được nhắc trễ hạn thay vào đó.
cli-reminder-missed-after-hours = Chỉ gửi được ngoài giờ làm việc, đến giờ làm việc thì đã quá hạn; đơn vị được nhắc trễ hạn thay vào đó.
cli-reminder-missed-other = Không gửi được kịp lúc.

## Cách nộp ghi dưới tin nhắc: bấm nút, hoặc gõ số nơi không có nút (cửa sổ dòng lệnh, Zalo)
reminder-how = Gửi tệp hoặc nội dung vào đây, hoặc bấm «Nộp ngay».
reminder-how-numbered = Gửi tệp hoặc nội dung vào đây, hoặc gõ số của lựa chọn «Nộp ngay» bên dưới.
reminder-how-web = Gửi ảnh hoặc nội dung vào đây, hoặc gõ số của lựa chọn «Nộp ngay» bên dưới; tệp thì nộp trên trang web baocao (gõ /web để nhận đường liên kết).

cli-reminders-outbox = Đang chờ gửi: { $count } tin cho người nhận trên nền tảng mà tiến trình baocao đã xử lý tin nhắc không phục vụ. Tin được gửi khi baocao chạy với nền tảng đó (baocao run cho Telegram; baocao chat --as … cho người trò chuyện trong cửa sổ dòng lệnh):
cli-col-waiting = Số tin chờ
cli-col-waiting-since = Chờ từ lúc
