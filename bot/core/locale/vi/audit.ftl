# The audit trail: its words on the dashboard and in `baocao audit`, and the chain check.

audit-actor-web-office = Văn phòng (trên web)
audit-contact-reach = Người liên hệ số { $contact } nhận tin nhắc hạn qua { $platform }
audit-contact-export = Xuất dữ liệu cá nhân của người liên hệ số { $contact }
audit-contact-forget = Xóa dữ liệu cá nhân của người liên hệ số { $contact }
audit-submission-create = Đơn vị { $unit } nộp báo cáo { $report } kỳ { $instance }: phiên bản { $version }, mã biên nhận { $receipt }
audit-export-xlsx = Xuất bảng tình hình báo cáo { $report } (kỳ { $instance })
audit-export-zip = Tải tệp nén báo cáo { $report } kỳ { $instance }
audit-web-link = Tạo đường dẫn đăng nhập web (vai trò: { $role }, người liên hệ số { $contact })
audit-web-sign-in = Đăng nhập web (vai trò: { $role }, người liên hệ số { $contact })
audit-web-logout-all = Đăng xuất mọi phiên web ({ $sessions } phiên)

audit-cli-help = Xem nhật ký thay đổi (mới nhất trước), lọc theo người, đơn vị, loại việc, ngày; hoặc kiểm tra nhật ký có bị sửa, xóa hay chèn dòng không (baocao audit verify).
audit-cli-opt-person = Chỉ các dòng do người liên hệ số này làm hoặc nói về người đó (kể cả các tài khoản khác của cùng người).
audit-cli-opt-unit = Chỉ các dòng nói về đơn vị này (mã đơn vị trong kế hoạch).
audit-cli-metavar-kind = LOẠI
audit-cli-opt-kind = Chỉ một loại việc: invite, contact, submission, export, plan, office_group, web; hoặc một việc cụ thể như contact.move.
audit-cli-metavar-date = NGÀY
audit-cli-opt-from = Từ ngày (dd/mm/yyyy, tính cả ngày đó).
audit-cli-opt-to = Đến ngày (dd/mm/yyyy, tính cả ngày đó).
audit-cli-opt-limit = Số dòng tối đa hiện ra.
audit-cli-col-id = Số
audit-cli-col-at = Lúc
audit-cli-col-actor = Ai làm
audit-cli-col-action = Loại
audit-cli-col-what = Việc gì
audit-cli-none = Không có dòng nhật ký nào khớp.
audit-cli-more = Chỉ hiện { $limit } dòng mới nhất; dùng --limit để xem thêm hoặc lọc hẹp hơn.
audit-cli-bad-date = Ngày «{ $value }» không đúng: hãy ghi theo dạng dd/mm/yyyy, ví dụ 05/06/2024.
audit-cli-dates-reversed = Ngày bắt đầu { $start } đứng sau ngày kết thúc { $end }.
audit-cli-bad-kind = Không có loại việc «{ $kind }». Các loại: { $kinds }.
audit-cli-verify-help = Kiểm tra chuỗi mã băm của nhật ký: báo dòng đầu tiên bị sửa, bị xóa hoặc bị chèn vào. Trả mã 1 khi nhật ký không còn nguyên vẹn.
audit-cli-verify-progress = Kiểm tra nhật ký
audit-cli-verify-ok = Nhật ký nguyên vẹn: { $count } dòng, chuỗi mã băm khớp từ dòng đầu đến dòng cuối.
audit-cli-verify-altered = Nhật ký KHÔNG nguyên vẹn: dòng số { $row } đã bị sửa sau khi ghi.
audit-cli-verify-inserted = Nhật ký KHÔNG nguyên vẹn: dòng số { $row } bị chèn vào, không do baocao ghi.
audit-cli-verify-removed = Nhật ký KHÔNG nguyên vẹn: có dòng bị xóa giữa dòng số { $after } và dòng số { $row }.
audit-cli-verify-removed-start = Nhật ký KHÔNG nguyên vẹn: có dòng bị xóa trước dòng số { $row }.
audit-cli-verify-removed-end = Nhật ký KHÔNG nguyên vẹn: các dòng cuối sau dòng số { $after } đã bị xóa.
audit-cli-verify-removed-all = Nhật ký KHÔNG nguyên vẹn: mọi dòng đã bị xóa.

## Dữ liệu cá nhân của một người liên hệ (Luật 91/2025/QH15)
personal-cli-export-help = Xuất mọi dữ liệu baocao lưu về một người (mọi tài khoản của người đó, mã mời đã dùng, phiên web, nhật ký, các lần nộp) ra JSON: in ra màn hình, hoặc ghi vào tệp với --file. Tệp nộp không kèm theo (đó là báo cáo của đơn vị); có mã SHA-256 của từng tệp.
personal-cli-opt-file = Ghi vào tệp JSON này (chỉ người chạy lệnh đọc được) thay vì in ra.
personal-cli-file-exists = Tệp { $file } đã có: baocao không ghi đè. Hãy chọn tên khác.
personal-cli-exported = Đã ghi dữ liệu của người liên hệ số { $contact } vào { $file }.
personal-cli-forget-help = Xóa dữ liệu cá nhân của một người (tên, tài khoản chat, phiên web, bước đang chờ, tin chưa gửi), cả các tài khoản liên kết. Báo cáo đơn vị đã nộp vẫn giữ, ghi cho đơn vị. Người đó nhắn lại thì bot coi như người lạ.
personal-cli-opt-yes = Không hỏi lại trước khi xóa.
personal-cli-confirm = Xóa dữ liệu cá nhân của người liên hệ số { $contact } và các tài khoản liên kết? Không thể hoàn tác
personal-cli-declined = Đã hủy, chưa xóa gì.
personal-cli-forgotten = Đã xóa dữ liệu cá nhân của người liên hệ số { $contact } ({ $count } tài khoản: { $accounts }). Báo cáo đơn vị đã nộp vẫn được giữ.
