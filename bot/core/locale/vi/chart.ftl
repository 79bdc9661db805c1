# The progress chart of a report instance (bot/core/chart.py, drawn by storage/exports/chart.py).
chart-on-time = Đúng hạn: { $count }
chart-late = Nộp trễ: { $count }
chart-missing = Quá hạn, chưa nộp: { $count }
chart-pending = Chưa nộp, còn hạn: { $count }
chart-subtitle = Đã nộp { $done }/{ $total } đơn vị
chart-deadline = Hạn nộp: { $deadline }
chart-today = Hôm nay: { $moment }
chart-axis = Số đơn vị đã nộp
chart-total = Tổng số { $total } đơn vị
chart-none-yet = Chưa đơn vị nào nộp báo cáo.
chart-no-units = Báo cáo này không có đơn vị nào phải nộp.
chart-file-name = Tiến độ { $report } { $date }.png
chart-caption = Biểu đồ tiến độ: { $report }
chart-count = { $count }

## baocao chart
cli-chart-help = Vẽ biểu đồ tiến độ nộp một báo cáo (đúng hạn, trễ hạn, chưa nộp; hạn nộp và hôm nay) vào tệp ảnh PNG, như ảnh bot gửi kèm bản tóm tắt.
cli-arg-chart-report = Mã báo cáo, ví dụ bc-6-thang.
cli-opt-chart-png = Tệp ảnh PNG để ghi biểu đồ, ví dụ --png tien-do.png
cli-opt-chart-instance = Kỳ báo cáo (như trong «baocao status»); bỏ trống để chọn kỳ có hạn nộp gần hôm nay nhất.
cli-chart-written = Đã ghi biểu đồ «{ $name }» — kỳ { $instance }, { $deadline } — vào { $file }.
cli-chart-other-instances = Báo cáo này còn { $count } kỳ khác: { $instances }. Chọn kỳ bằng --instance.
cli-chart-no-instances = Báo cáo «{ $report }» chưa có kỳ nào đang theo dõi.
cli-chart-unknown-instance = Báo cáo «{ $report }» không có kỳ «{ $instance }». Các kỳ: { $instances }.
cli-chart-write-failed = Không ghi được biểu đồ vào { $file } (ổ đĩa đầy, hoặc thư mục vừa bị xóa hay đổi quyền).

## The demo's stage: where a picture sent to a console chat was kept
demo-picture-saved = ↳ Ảnh gửi { $recipient } đã được lưu tại: { $path }
demo-file-saved = ↳ Tệp gửi { $recipient } đã được lưu tại: { $path }
