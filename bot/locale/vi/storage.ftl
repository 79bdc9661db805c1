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

storage-contact-role =
    Không thể chuyển «{ $name }» (số { $contact }) sang đơn vị «{ $unit }»: { $role ->
        [office] cán bộ Văn phòng chỉ thuộc Văn phòng.
        [leader] lãnh đạo chỉ thuộc Ban Giám đốc.
       *[other] vai trò không phù hợp với đơn vị.
    }
