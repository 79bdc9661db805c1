## Tin nhắc hạn, danh sách trễ hạn, tóm tắt gửi Văn phòng và lãnh đạo

reminder =
    Nhắc hạn: báo cáo «{ $report }» của { $unit }, { $deadline }. { $when }
    { $received }
    Gửi tệp hoặc nội dung vào đây, hoặc bấm «Nộp ngay».
reminder-days-left = Còn { $days } ngày.
reminder-last-day = Hôm nay là ngày cuối: hạn chót trước { $deadline }.
reminder-late-days = Đã trễ hạn { $days } ngày làm việc.
reminder-late-today = Đã quá hạn.
reminder-nothing-received = Bot chưa nhận được báo cáo nào của đơn vị.
reminder-received = Bot đã nhận { $versions } phiên bản, mới nhất lúc { $at }.
button-submit-now = Nộp ngay
reminder-submit-how = Hãy gửi tệp (Word, PDF, Excel...), ảnh hoặc nội dung cho báo cáo «{ $name }» vào đây.
reminder-report-closed = Báo cáo này không còn mở để nộp.

late-list-title = Báo cáo «{ $report }» ({ $deadline }): { $count }/{ $total } đơn vị chưa nộp, đã trễ { $days } ngày làm việc.
late-list-unit = • { $unit }
escalation-title = Báo cáo lãnh đạo: đơn vị trễ hạn nộp báo cáo.
digest-title = Tóm tắt tình hình nộp báo cáo hôm nay:
ready = Tất cả { $count } đơn vị đã nộp báo cáo «{ $report }». Văn phòng có thể bắt đầu tổng hợp: { $compiled }.
office-unreachable = Không gửi được tin nhắc cho { $name } ({ $unit }): người này đã chặn bot hoặc không còn dùng Telegram. Hãy liên hệ trực tiếp, hoặc mời người khác làm đầu mối.
