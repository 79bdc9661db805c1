## Tệp nén gồm các tệp các đơn vị đã nộp (baocao export --zip, /taitep)

archive-text-name = báo cáo dạng văn bản
archive-file-name = tệp
archive-sheet-name = Tình hình
archive-sheet-report = Báo cáo
archive-sheet-round = Kỳ báo cáo
archive-sheet-deadline = Hạn nộp
archive-sheet-period = Kỳ chốt số liệu
archive-sheet-made = Lập lúc
archive-col-unit = Đơn vị
archive-col-contact = Người nộp
archive-col-submitted-at = Nộp lúc
archive-col-version = Phiên bản
archive-col-timeliness = Đúng hạn / trễ hạn
archive-col-receipt = Mã biên nhận
archive-col-file = Tệp trong gói
archive-col-note = Ghi chú
archive-file-missing = Không tìm thấy tệp trên máy chủ, chưa đưa vào gói.

archive-unknown-report = Không có báo cáo nào mã «{ $report }». Các mã báo cáo: { $codes }.
archive-no-reports = Chưa có báo cáo nào trong kế hoạch để xuất.
archive-unknown-round = Báo cáo { $report } không có kỳ «{ $round }». Các kỳ: { $keys }.

archive-not-allowed = Chỉ Văn phòng và lãnh đạo tải được tệp nén các báo cáo đã nộp.
archive-unavailable = Chức năng tải tệp nén chưa được bật ở đây. Văn phòng có thể dùng lệnh: baocao export MÃ-BÁO-CÁO --zip TỆP.zip
archive-making = Đang đóng gói các tệp của { $report }…
archive-caption = { $report } — kỳ { $round }: { $count } tệp của { $done }/{ $total } đơn vị đã nộp, kèm bảng tình hình.
archive-too-big = Tệp nén khoảng { $size } MB, quá giới hạn { $limit } MB mà bot gửi được qua tin nhắn. Trên máy chủ, Văn phòng chạy lệnh: { $command } TÊN-TỆP.zip
archive-missing = { $count } tệp không còn trên máy chủ nên chưa có trong gói (xem cột Ghi chú của bảng tình hình):
    { $names }

archive-cli-opt-zip = Ghi tệp nén (.zip) vào đây.
archive-cli-opt-all-versions = Đưa vào mọi phiên bản, mỗi đơn vị một thư mục (v1, v2, …).
archive-cli-write-failed = Không ghi được tệp nén «{ $file }»; chưa có tệp nào được tạo. Kiểm tra thư mục và quyền ghi rồi chạy lại.
archive-cli-disk-full = Ổ đĩa đầy, không ghi được tệp nén «{ $file }»; chưa có tệp nào được tạo.
archive-cli-written = Đã ghi { $file }: { $count } tệp của { $done }/{ $total } đơn vị đã nộp, kèm bảng tình hình ({ $size } MB).
archive-cli-round = { $report } — kỳ { $round }, { $deadline }.
archive-cli-missing = Không tìm thấy trên máy chủ, chưa đưa vào gói: { $name }
