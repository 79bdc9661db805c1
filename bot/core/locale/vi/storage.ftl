## Lưu trữ: áp dụng kế hoạch, lời mời, người liên hệ, báo cáo đã nộp

storage-error = Lỗi dữ liệu.

storage-unknown-unit = Không có đơn vị nào mang mã «{ $unit }» (hoặc đơn vị này đã được lưu trữ).

storage-unknown-report = Không có báo cáo nào mang mã «{ $report }» (hoặc báo cáo này đã được lưu trữ).

storage-unknown-instance = Không tìm thấy kỳ báo cáo số { $instance } (hoặc kỳ này đã được lưu trữ).

storage-unknown-invite = Không có lời mời nào mang mã «{ $code }».

storage-invite-used = Lời mời «{ $code }» đã được sử dụng nên không thể thu hồi.

storage-invite-role =
    Không thể mời { $role ->
        [office] cán bộ Văn phòng
        [leader] lãnh đạo
       *[other] đầu mối
    } cho đơn vị «{ $unit }»: { $role ->
        [office] vai trò này chỉ dành cho Văn phòng.
        [leader] vai trò này chỉ dành cho Ban Giám đốc.
       *[other] vai trò không phù hợp với đơn vị.
    }

storage-plan-conflict =
    Chưa áp dụng kế hoạch: kế hoạch mới bỏ { $count } mục đã có báo cáo được nộp.
    - Đơn vị: { $unit_count ->
        [0] không có
       *[other] { $units }
    }
    - Báo cáo: { $report_count ->
        [0] không có
       *[other] { $reports }
    }
    - Kỳ báo cáo: { $instance_count ->
        [0] không có
       *[other] { $instances }
    }
    Hãy giữ các mục này trong kế hoạch, hoặc áp dụng lại với tùy chọn lưu trữ (--archive): các mục bị bỏ sẽ được lưu trữ và mọi báo cáo đã nộp vẫn được giữ nguyên.

storage-unknown-contact = Không có người nào mang số { $contact } trong danh sách liên hệ của bot.
storage-no-account = Người số { $contact } không có tài khoản đang dùng trên { $platform }.

storage-contact-role =
    Không thể chuyển «{ $name }» (số { $contact }) sang đơn vị «{ $unit }»: { $role ->
        [office] cán bộ Văn phòng chỉ thuộc Văn phòng.
        [leader] lãnh đạo chỉ thuộc Ban Giám đốc.
       *[other] vai trò không phù hợp với đơn vị.
    }

## Vì sao không mở được cơ sở dữ liệu (BAOCAO_DATABASE_URL)
database-error-refused = Không mở được cơ sở dữ liệu: máy chủ { $server } không nhận kết nối. Máy chủ PostgreSQL có đang chạy không, và cổng trong BAOCAO_DATABASE_URL có đúng không?
database-error-unknown-host = Không mở được cơ sở dữ liệu: không tìm thấy máy chủ «{ $host }». Kiểm tra tên máy chủ trong BAOCAO_DATABASE_URL và mạng của máy.
database-error-timeout = Không mở được cơ sở dữ liệu: máy chủ { $server } không trả lời. Kiểm tra mạng, tường lửa và địa chỉ trong BAOCAO_DATABASE_URL.
database-error-unknown-database = Không mở được cơ sở dữ liệu: máy chủ { $server } không có cơ sở dữ liệu «{ $database }». Tạo cơ sở dữ liệu đó (ví dụ: createdb { $database }) hoặc sửa tên trong BAOCAO_DATABASE_URL.
database-error-rejected-user = Không mở được cơ sở dữ liệu: máy chủ { $server } từ chối người dùng «{ $user }» (sai tên người dùng hoặc mật khẩu, hoặc người dùng chưa được cấp quyền). Kiểm tra BAOCAO_DATABASE_URL.
database-error-not-sqlite = Không mở được cơ sở dữ liệu: tệp { $file } không phải cơ sở dữ liệu SQLite (hoặc đã hỏng). baocao không sửa hay xóa tệp này; kiểm tra BAOCAO_DATABASE_URL hoặc BAOCAO_DATA_DIR.
database-error-file-access = Không mở được cơ sở dữ liệu: không đọc hoặc ghi được tệp { $file } (quyền truy cập, hoặc ổ đĩa chỉ đọc). Kiểm tra quyền của thư mục dữ liệu (BAOCAO_DATA_DIR).
