## Lỗi trong tệp kế hoạch. Mỗi lỗi được in kèm tên tệp, dòng và mục.

plan-problem-at-field = { $file }, dòng { $line }, mục «{ $field }»: { $text }
plan-problem-at-line = { $file }, dòng { $line }: { $text }
plan-problem-in-file = { $file }: { $text }

plan-error-no-file = không tìm thấy tệp kế hoạch. Hãy kiểm tra lại đường dẫn.
plan-error-is-directory = đây là một thư mục, không phải tệp kế hoạch.
plan-error-unreadable = không đọc được tệp kế hoạch (kiểm tra quyền truy cập tệp).
plan-error-too-big = tệp quá lớn ({ $size } MB). Tệp kế hoạch chỉ được tối đa { $limit } MB; có thể đã chọn nhầm tệp.
plan-error-encoding = tệp không phải văn bản UTF-8. Hãy lưu lại tệp với bảng mã UTF-8 (Unicode).
plan-error-binary = tệp không phải văn bản (có ký tự nhị phân); có thể đã chọn nhầm tệp.
plan-error-empty = tệp kế hoạch trống. Hãy chép tệp mẫu plans/ke-hoach-dan-chu-co-so-2024.yaml rồi sửa lại.
plan-error-yaml = sai cú pháp YAML ở cột { $column }: kiểm tra thụt lề, dấu hai chấm và các dấu ngoặc.
plan-error-yaml-other = sai cú pháp YAML: kiểm tra thụt lề, dấu hai chấm và các dấu ngoặc.
plan-error-duplicate-key = một mục được khai báo hai lần trong cùng một khối; hãy xóa một trong hai.
plan-error-not-mapping = tệp kế hoạch phải gồm các mục dạng «tên: giá trị» (organisation, units, reports...).

plan-error-missing = thiếu mục bắt buộc «{ $name }».
plan-error-unknown-field = không có mục nào tên «{ $name }» (có thể gõ sai tên mục).
plan-error-not-a-number = phải là một số nguyên.
plan-error-too-small = phải lớn hơn hoặc bằng { $limit }.
plan-error-too-large = phải nhỏ hơn hoặc bằng { $limit }.
plan-error-empty-list = danh sách không được để trống.
plan-error-not-bool = phải là true (có) hoặc false (không).
plan-error-not-list = phải là một danh sách (mỗi phần tử một dòng bắt đầu bằng «- »).
plan-error-not-section = phải là một khối gồm các mục «tên: giá trị».
plan-error-not-text = phải là một đoạn chữ.
plan-error-empty-text = không được để trống.
plan-error-invalid = giá trị không hợp lệ.

plan-error-not-a-date = «{ $value }» không phải là ngày hợp lệ. Viết ngày dạng dd/mm/yyyy (ví dụ 05/06/2024) hoặc yyyy-mm-dd (2024-06-05).
plan-error-not-a-time = «{ $value }» không phải là giờ hợp lệ. Viết giờ dạng HH:MM, ví dụ 08:00 hoặc 17:30.
plan-error-working-hours = «{ $value }» không phải là khung giờ làm việc hợp lệ. Viết dạng 07:30-17:00.
plan-error-bad-id = mã «{ $value }» không hợp lệ: chỉ dùng chữ thường không dấu, chữ số và dấu gạch ngang (ví dụ phong-ttbcxb), tối đa 64 ký tự.
plan-error-reserved-id = mã «{ $id }» được dành riêng để chỉ «tất cả đơn vị»; hãy đặt mã khác.
plan-error-timezone = không có múi giờ «{ $value }». Ở Việt Nam dùng Asia/Ho_Chi_Minh.
plan-error-unit-type = loại đơn vị «{ $value }» không hợp lệ. Chọn một trong: unit (đơn vị), office (văn phòng), leadership (lãnh đạo).
plan-error-kind = loại báo cáo «{ $value }» không hợp lệ. Chọn một trong: định kỳ, chuyên đề, đột xuất.
plan-error-every = chu kỳ «{ $value }» không hợp lệ. Chọn một trong: month (tháng), quarter (quý), half_year (6 tháng), year (năm).
plan-error-repeat-end = cần ghi đúng một trong hai mục: count (số kỳ) hoặc until (lặp đến ngày).
plan-error-repeat-too-many = lặp lại quá nhiều kỳ (tối đa 1000); hãy giảm count hoặc until.
plan-error-repeat-empty = ngày «until» sớm hơn hạn của kỳ đầu tiên, nên không có kỳ báo cáo nào.
plan-error-period-form = kỳ chốt số liệu ghi một trong hai cách: một chu kỳ (ví dụ half_year) hoặc hai mục from và to.
plan-error-period-order = ngày bắt đầu kỳ chốt số liệu ({ $start }) sau ngày kết thúc ({ $end }).
plan-error-period-dates-repeat = báo cáo lặp lại không dùng được kỳ chốt số liệu ghi bằng ngày cụ thể; hãy ghi chu kỳ (ví dụ period: month) hoặc bỏ mục period.
plan-error-reminder = «{ $value }» không phải là lịch nhắc hợp lệ. Dùng ví dụ: 7d (7 ngày trước hạn), 3wd (3 ngày làm việc trước hạn), 2h, 30m, 90s, last_day (ngày cuối), overdue (mỗi ngày làm việc khi đã trễ hạn), hoặc một ngày như 01/06/2024.
plan-error-reminder-zero = lịch nhắc «{ $value }» bằng 0; muốn nhắc vào ngày cuối hãy ghi last_day.
plan-error-reminder-after = lịch nhắc «{ $value }» rơi vào lúc đã hết hạn (hạn chót là hết ngày { $deadline }). Để nhắc sau hạn, dùng overdue.
plan-error-at-with-repeat = lịch nhắc theo ngày cụ thể «{ $value }» không dùng được cho báo cáo lặp lại; hãy dùng khoảng cách như 7d hoặc 3wd.
plan-error-duplicate-reminder = lịch nhắc này bị ghi hai lần.

plan-error-duplicate-unit = mã đơn vị «{ $id }» đã được dùng cho một đơn vị khác ở trên.
plan-error-no-office = kế hoạch cần đúng một đơn vị có «type: office» (Văn phòng Sở, nơi nhận và tổng hợp báo cáo).
plan-error-two-offices = chỉ được có một đơn vị loại office (Văn phòng); ở đây là đơn vị thứ hai.
plan-error-duplicate-report = mã báo cáo «{ $id }» đã được dùng cho một báo cáo khác ở trên.
plan-error-unknown-unit = không có đơn vị nào mã «{ $id }» trong danh sách units.
plan-error-unknown-report = không có báo cáo nào mã «{ $id }» trong danh sách reports.
plan-error-no-submitters = báo cáo không có đơn vị nào phải nộp. Ghi danh sách mã đơn vị, hoặc «all» để mọi đơn vị cùng nộp.
plan-error-all-mixed = «all» (tất cả đơn vị) phải đứng một mình, không ghi cùng các mã đơn vị khác.
plan-error-receiver-submits = đơn vị «{ $id }» là nơi nhận báo cáo này nên không thể đồng thời là đơn vị nộp.
plan-error-duplicate-submitter = đơn vị «{ $id }» được ghi hai lần.
plan-error-due-both = chỉ ghi một trong hai: due_before (trước ngày) hoặc due_on (hạn trong ngày), không ghi cả hai.
plan-error-due-missing = báo cáo chưa có hạn nộp: ghi due_before (trước ngày, ví dụ 05/06/2024) hoặc due_on (hạn trong ngày).
plan-error-duplicate-instance = hai kỳ báo cáo rơi vào cùng kỳ chốt số liệu «{ $key }»; chu kỳ của period phải khớp với repeat.
plan-error-cycle = báo cáo tổng hợp phụ thuộc vòng tròn: { $chain }. Một báo cáo không thể (gián tiếp) chờ chính nó.
plan-error-cascade-order = báo cáo tổng hợp «{ $report }» (hạn chót hết ngày { $deadline }) phải có hạn sau báo cáo «{ $dependency }» mà nó tổng hợp (hạn chót hết ngày { $dependency_deadline }).

## Cảnh báo: kế hoạch vẫn dùng được, nhưng nên xem lại.

plan-warning-at = dòng { $line }: { $text }
plan-warning-cutoff = báo cáo «{ $report }»: kỳ chốt số liệu kết thúc ngày { $end } nhưng hạn chót là hết ngày { $deadline }. Nghị định 09/2019/NĐ-CP (Điều 8) yêu cầu ít nhất một ngày làm việc giữa ngày chốt số liệu và hạn gửi báo cáo.
plan-warning-makeup-weekday = ngày làm bù { $date } là ngày thường trong tuần, vốn đã là ngày làm việc.
plan-error-summary = «{ $value }» không phải là thời điểm gửi tóm tắt. Chọn trong: reminder_days (các ngày nhắc), deadline (lúc hết hạn), day_after (ngày làm việc sau hạn).

## calendar, invites, plan warnings

plan-warning-makeup-holiday = ngày làm bù { $date } là ngày nghỉ «{ $name }»; baocao sẽ tính ngày này là ngày làm việc. Nếu không phải vậy, hãy bỏ ngày này khỏi makeup_days.
plan-warning-due-on-day-off = báo cáo «{ $report }»: hạn due_on rơi vào ngày nghỉ: { $days }{ $more ->
        [0] {""}
       *[other] {" "}và { $more } kỳ khác
    }. Đơn vị vẫn được nộp đến hết ngày đó, còn tin nhắc ngày cuối đến vào ngày làm việc trước đó ({ $working }). Nếu hạn thật là ngày làm việc trước đó, hãy sửa lại ngày.
plan-warning-past = { $count } trên { $total } kỳ báo cáo đã hết hạn (báo cáo: { $reports }{ $more ->
        [0] {""}
       *[other] {" "}và { $more } báo cáo khác
    }; hạn gần nhất đã qua là hết ngày { $latest }). Sau khi nạp, baocao coi các đơn vị chưa nộp là đã trễ hạn và nhắc họ mỗi ngày làm việc (lịch nhắc overdue). Nếu đây là kế hoạch của năm đã qua, hãy chép tệp, đổi năm ở mọi ngày trong tệp rồi nạp tệp mới (xem README, mục «Chuyển kế hoạch sang năm mới»).
plan-error-tab = dòng này có ký tự Tab (ở cột { $column }). YAML chỉ chấp nhận dấu cách để thụt lề: hãy thay mỗi Tab bằng dấu cách (thường là 2 dấu cách mỗi bậc).

## Tệp kế hoạch dùng bí danh YAML (&, *) lồng nhau quá nhiều
plan-error-aliases = tệp dùng các bí danh YAML (dấu & và *) lồng nhau, khi mở ra thành nhiều mục hơn cả tệp có thể chứa; có thể tệp bị hỏng hoặc chọn nhầm tệp. Hãy viết thẳng các mục thay cho bí danh.
plan-error-too-deep = tệp lồng các mục vào nhau quá nhiều bậc (kế hoạch chỉ cần vài bậc thụt lề); có thể tệp bị hỏng hoặc chọn nhầm tệp.
plan-invalid = Tệp kế hoạch { $file } có { $count } lỗi, chưa ghi gì vào hệ thống.
