## Lệnh baocao dành cho Văn phòng

cli-help = baocao — trợ lý nhắc hạn và nhận báo cáo của các đơn vị qua tin nhắn. Chạy «baocao TÊN-LỆNH --help» để xem hướng dẫn từng lệnh.
cli-plan-help = Kiểm tra, nạp và xem kế hoạch báo cáo.
cli-db-help = Quản lý cơ sở dữ liệu.
cli-plan-check-help = Kiểm tra tệp kế hoạch: báo từng lỗi kèm dòng và mục, không ghi gì vào hệ thống.
cli-plan-apply-help = Nạp tệp kế hoạch vào hệ thống. Nạp lại cùng tệp không thay đổi gì; tệp đã sửa được cập nhật tại chỗ, giữ nguyên các báo cáo đã nộp.
cli-plan-show-help = Xem kế hoạch đang dùng: đơn vị, báo cáo, hạn nộp từng kỳ, kỳ chốt số liệu và các ngày nhắc.
cli-invite-help = Tạo mã mời dùng một lần để một người đăng ký làm đầu mối của đơn vị qua bot. Hủy một mã mời chưa dùng: baocao invite revoke MÃ-MỜI.
cli-invites-help = Danh sách mã mời và tình trạng (còn hiệu lực, đã dùng, hết hạn, đã hủy).
cli-status-help = Tình hình nộp báo cáo: đơn vị nào đã nộp, lúc nào, phiên bản mấy, đúng hạn hay trễ bao lâu.
cli-db-upgrade-help = Cập nhật cấu trúc cơ sở dữ liệu lên phiên bản mới nhất (baocao tự làm việc này khi chạy).

cli-arg-plan-file = Tệp kế hoạch (.yaml), ví dụ plans/ke-hoach-dan-chu-co-so-2024.yaml
cli-arg-plan-file-optional = Tệp kế hoạch muốn xem; bỏ trống để xem kế hoạch đã nạp.
cli-arg-unit = Mã đơn vị trong kế hoạch, ví dụ phong-ttbcxb.
cli-arg-report = Mã báo cáo; bỏ trống để xem mọi báo cáo.
cli-opt-archive = Cho phép bỏ đơn vị hoặc báo cáo đã có báo cáo nộp: chúng được lưu trữ, lịch sử giữ nguyên.
cli-opt-role = Vai trò: head (đầu mối đơn vị), office (cán bộ Văn phòng), leader (lãnh đạo).
cli-opt-days = Số ngày mã mời còn hiệu lực (mặc định theo BAOCAO_INVITE_DAYS, thường là 14).
cli-opt-qr = Ghi thêm mã QR của đường dẫn mời vào tệp PNG này.
cli-opt-invites-all = Hiện cả mã đã dùng, hết hạn hoặc đã hủy.

cli-plan-invalid = Kế hoạch có { $count } lỗi, chưa ghi gì vào hệ thống. Sửa các lỗi trên rồi chạy lại.
cli-warning = Lưu ý: { $file }, dòng { $line }: { $text }
cli-plan-ok = Kế hoạch { $file } hợp lệ: { $units } đơn vị, { $reports } báo cáo, { $instances } kỳ báo cáo, { $warnings } lưu ý.

cli-error-setting = Giá trị của biến cấu hình { $name } không hợp lệ. Xem hướng dẫn trong tệp .env.example.
cli-error-timezone = Múi giờ BAOCAO_TIMEZONE «{ $value }» không tồn tại. Ở Việt Nam dùng Asia/Ho_Chi_Minh.
cli-error-no-plan-applied = Chưa nạp kế hoạch nào. Chạy: baocao plan apply TỆP-KẾ-HOẠCH.yaml
cli-error-stored-plan-invalid = Kế hoạch đã nạp ({ $file }) không còn đọc được. Hãy nạp lại: baocao plan apply { $file }
cli-error-database = Không mở được cơ sở dữ liệu ({ $detail }). Kiểm tra BAOCAO_DATABASE_URL hoặc BAOCAO_DATA_DIR, và máy chủ cơ sở dữ liệu có đang chạy không.
cli-error-qr-folder = Thư mục «{ $folder }» để ghi mã QR không tồn tại.
cli-error-qr-needs-username = Cần biết tên bot để tạo mã QR: đặt BAOCAO_TELEGRAM_TOKEN (hoặc BAOCAO_TELEGRAM_BOT_USERNAME) trong tệp .env.
error-bot-unreachable = Không hỏi được tên bot từ Telegram (mạng hoặc BAOCAO_TELEGRAM_API_URL). Có thể đặt sẵn BAOCAO_TELEGRAM_BOT_USERNAME trong tệp .env.
error-bot-token-rejected = Telegram từ chối mã bot (BAOCAO_TELEGRAM_TOKEN). Kiểm tra lại mã lấy từ @BotFather.

cli-show-title = { $name } — kế hoạch: { $file }
cli-show-units = Đơn vị ({ $count })
cli-show-report = Báo cáo { $id }: { $name } ({ $kind }). Đơn vị nộp: { $submitters }. Nơi nhận: { $receiver }.
cli-show-and-more = { $text } và { $count } đơn vị khác
cli-show-depends = Tổng hợp từ: { $reports }
cli-show-overdue = sau hạn: nhắc mỗi ngày làm việc từ { $first }
cli-show-no-reminders = không nhắc
instance-once = một lần

cli-col-id = Mã
cli-col-name = Tên
cli-col-short-name = Tên ngắn
cli-col-unit-type = Loại
cli-col-instance = Kỳ
cli-col-deadline = Hạn nộp
cli-col-period = Kỳ chốt số liệu
cli-col-reminders = Ngày nhắc
cli-col-code = Mã mời
cli-col-unit = Đơn vị
cli-col-role = Vai trò
cli-col-status = Tình trạng
cli-col-expires = Hết hạn
cli-col-used-by = Người dùng mã
cli-col-submitted = Đã nộp
cli-col-when = Lúc
cli-col-version = Phiên bản
cli-col-timeliness = Tình trạng

unit-type-unit = đơn vị
unit-type-office = văn phòng
unit-type-leadership = lãnh đạo
report-kind-dinh-ky = định kỳ
report-kind-chuyen-de = chuyên đề
report-kind-dot-xuat = đột xuất
role-head = đầu mối đơn vị
role-office = cán bộ Văn phòng
role-leader = lãnh đạo

cli-invite-created = Đã tạo mã mời cho { $unit } (vai trò: { $role }). Mã: { $code }. Hết hạn lúc { $expires }.
cli-invite-link = Gửi đường dẫn này cho người được mời (dùng một lần): { $link }
cli-invite-no-username = Chưa biết tên bot nên chưa tạo được đường dẫn. Người được mời mở bot và gõ: /start { $code } (hoặc đặt BAOCAO_TELEGRAM_BOT_USERNAME trong tệp .env để có đường dẫn).
cli-invite-qr-written = Đã ghi mã QR vào { $file }.
cli-invites-none = Chưa có mã mời nào.
cli-invites-none-open = Không có mã mời nào còn hiệu lực. Thêm --all để xem tất cả.
invite-status-open = còn hiệu lực
invite-status-used = đã dùng
invite-status-expired = hết hạn
invite-status-revoked = đã hủy

cli-status-empty = Chưa có kỳ báo cáo nào. Hãy nạp kế hoạch: baocao plan apply TỆP-KẾ-HOẠCH.yaml
cli-status-title = { $name } — kỳ { $instance }, { $deadline }: { $done }/{ $total } đơn vị đã nộp.
status-yes = đã nộp
status-no = chưa nộp
status-on_time = đúng hạn
status-late = trễ { $late }
status-missing = chưa nộp, đã trễ { $late }
status-pending = còn trong hạn

cli-db-upgraded = Cơ sở dữ liệu đã ở phiên bản mới nhất ({ $revision }).

apply-unchanged = Kế hoạch { $file } đã được nạp trước đó, không có gì thay đổi.
apply-done = Đã nạp kế hoạch { $file }.
apply-and-more = { $keys } và { $count } mục khác
apply-units-added = Thêm { $count } đơn vị: { $keys }
apply-units-updated = Cập nhật { $count } đơn vị: { $keys }
apply-units-archived = Lưu trữ { $count } đơn vị: { $keys }
apply-units-restored = Dùng lại { $count } đơn vị đã lưu trữ: { $keys }
apply-reports-added = Thêm { $count } báo cáo: { $keys }
apply-reports-updated = Cập nhật { $count } báo cáo: { $keys }
apply-reports-archived = Lưu trữ { $count } báo cáo: { $keys }
apply-reports-restored = Dùng lại { $count } báo cáo đã lưu trữ: { $keys }
apply-instances-added = Thêm { $count } kỳ báo cáo: { $keys }
apply-instances-updated = Cập nhật { $count } kỳ báo cáo: { $keys }
apply-instances-archived = Lưu trữ { $count } kỳ báo cáo: { $keys }
apply-instances-restored = Dùng lại { $count } kỳ báo cáo đã lưu trữ: { $keys }

cli-panel-arguments = Tham số
cli-panel-options = Tùy chọn
cli-panel-commands = Lệnh
cli-panel-error = Lỗi
cli-required = [bắt buộc]
cli-default = [mặc định: {"{"}{"}"}]
cli-aborted = Đã dừng.
cli-usage = Cách dùng:
cli-help-option = Xem hướng dẫn này rồi thoát.
cli-usage-missing = Thiếu { $name }.
cli-usage-no-such-option = Không có tùy chọn { $name }.
cli-usage-bad-value = Giá trị của { $name } không hợp lệ.
cli-usage-unknown-command = Không có lệnh này.
cli-usage-error = Lệnh gõ chưa đúng (thừa hoặc thiếu tham số).
cli-usage-hint = Chạy «{ $command } --help» để xem hướng dẫn.
cli-metavar-options = [TÙY-CHỌN]
cli-metavar-command = LỆNH [THAM-SỐ]...
cli-metavar-file = TỆP
cli-metavar-file-optional = TỆP
cli-metavar-unit = MÃ-ĐƠN-VỊ
cli-metavar-report = MÃ-BÁO-CÁO
apply-instance = { $report } ({ $instance })

cli-run-help = Chạy bot: cập nhật cơ sở dữ liệu, nạp kế hoạch BAOCAO_PLAN (nếu có --apply-plan) rồi nhận tin nhắn Telegram cho đến khi nhấn Ctrl-C.
cli-opt-apply-plan = Nạp kế hoạch trong BAOCAO_PLAN trước khi chạy bot.
run-no-token = Chưa có mã bot Telegram. Tạo bot bằng cách nhắn /newbot cho @BotFather trên Telegram, rồi chép mã bot nhận được vào tệp .env ở thư mục baocao, dòng: BAOCAO_TELEGRAM_TOKEN=mã-bot (xem mẫu trong .env.example). Muốn thử bot ngay trong cửa sổ dòng lệnh, không cần Telegram: nạp kế hoạch (baocao plan apply TỆP-KẾ-HOẠCH.yaml) rồi gõ baocao chat --as MÃ-ĐƠN-VỊ. Xem bot làm việc trọn một mùa báo cáo trong chưa đầy một phút: baocao demo (hoặc make demo).
run-started = baocao đang chạy. Nhấn Ctrl-C để dừng.
run-stopped = baocao đã dừng.

cli-contacts-help = Danh sách người liên hệ của bot (đầu mối đơn vị, cán bộ Văn phòng, lãnh đạo) và số của từng người.
cli-contact-help = Gỡ hoặc chuyển đơn vị một người liên hệ.
cli-contact-remove-help = Gỡ một người khỏi bot (họ không nhận nhắc hạn, không nộp được nữa); bot báo cho người đó.
cli-contact-move-help = Chuyển một người sang đơn vị khác, giữ vai trò; bot báo cho người đó.
cli-opt-contacts-all = Hiện cả những người đã bị gỡ.
cli-arg-contact = Số của người liên hệ (cột «Số» trong baocao contacts).
cli-metavar-contact = SỐ
cli-contacts-none = Chưa có ai đăng ký. Tạo mã mời: baocao invite MÃ-ĐƠN-VỊ
cli-col-contact-id = Số
cli-col-person = Người liên hệ
cli-col-platform = Nền tảng
cli-col-registered = Đăng ký lúc
contact-active = đang hoạt động
contact-removed = đã gỡ
cli-contact-removed = Đã gỡ { $name } ({ $unit }) khỏi bot.
cli-contact-moved = Đã chuyển { $name } sang { $unit }.
cli-contact-told = Bot đã nhắn cho người đó biết.
cli-contact-not-told = Chưa nhắn được cho người đó (chưa có BAOCAO_TELEGRAM_TOKEN hoặc không kết nối được Telegram): hãy báo trực tiếp.
contact-removed-notice = Văn phòng Sở đã gỡ bạn khỏi danh sách đầu mối của { $unit } trên baocao. Bạn sẽ không nhận nhắc hạn và không nộp báo cáo qua bot nữa. Nếu có nhầm lẫn, hãy liên hệ Văn phòng.
contact-moved-notice = Văn phòng Sở đã chuyển bạn sang làm { $role } của { $unit } trên baocao. Từ nay bot nhắc hạn và nhận báo cáo cho { $unit }.
apply-reminders = Lịch nhắc: thêm, dời hoặc bỏ { $count } tin nhắc theo kế hoạch.

## calendar, invites, plan warnings

cli-calendar-help = Lịch nghỉ của một năm: ngày nghỉ lễ, Tết, ngày nghỉ hoán đổi và ngày làm bù, kèm căn cứ của từng ngày (luật, văn bản hoán đổi, kế hoạch) để đối chiếu với thông báo của Nhà nước.
cli-arg-year = Năm muốn xem, ví dụ 2026.
cli-metavar-year = NĂM
cli-opt-calendar-plan = Tính cả ngày nghỉ và ngày làm bù của tệp kế hoạch này (mặc định: kế hoạch đã nạp, nếu có).
cli-calendar-title = Lịch nghỉ năm { $year } (thư viện holidays { $version }, bảng hoán đổi của baocao, kế hoạch: { $plan })
cli-calendar-off = nghỉ
cli-calendar-makeup = làm bù
cli-calendar-working = làm việc
cli-calendar-package-too = { $source } (thư viện holidays cũng có)
cli-calendar-summary = Năm { $year }: { $off } ngày nghỉ rơi vào thứ Hai đến thứ Sáu, { $makeup } ngày làm bù vào thứ Bảy, Chủ nhật. Nếu thông báo của Nhà nước khác, hãy ghi ngày nghỉ vào calendar.days_off và ngày làm bù vào calendar.makeup_days trong tệp kế hoạch.
cli-col-date = Ngày
cli-col-day-kind = Nghỉ/làm
cli-col-day-name = Ngày gì
cli-col-basis = Căn cứ
cli-metavar-invite-code = MÃ-MỜI
cli-arg-invite-code = Chỉ dùng khi hủy mã mời: baocao invite revoke MÃ-MỜI.
cli-invite-revoke-no-code = Thiếu mã mời cần hủy. Cách dùng: baocao invite revoke MÃ-MỜI (xem các mã mời: baocao invites).
cli-invite-extra-argument = Thừa «{ $value }»: tạo mã mời chỉ cần mã đơn vị, ví dụ baocao invite phong-ttbcxb. Muốn hủy một mã mời: baocao invite revoke MÃ-MỜI.
cli-error-role = Không có vai trò «{ $value }». Chọn một trong: { $roles }. Ví dụ: baocao invite van-phong --role office
cli-invite-revoked = Đã hủy mã mời { $code } của { $unit } (vai trò: { $role }). Ai mở đường dẫn mời này sẽ được báo là mã đã bị hủy.
cli-invite-revoked-before = Mã mời { $code } đã bị hủy từ trước (lúc { $when }); không cần làm gì thêm.
cli-invite-revoke-unknown = Không có mã mời «{ $code }». Xem các mã mời: baocao invites --all
cli-invite-revoke-used = Mã mời { $code } đã được dùng ({ $name } đã đăng ký) nên không hủy được nữa. Muốn gỡ người này khỏi bot: xem số của họ bằng baocao contacts, rồi chạy baocao contact remove SỐ.
invite-error-no-plan = Chưa nạp kế hoạch nào nên chưa có đơn vị nào để mời (kể cả «{ $unit }»). Hãy nạp kế hoạch trước: baocao plan apply TỆP-KẾ-HOẠCH.yaml (ví dụ plans/ke-hoach-dan-chu-co-so-2024.yaml), rồi tạo lại mã mời.

## Khởi động: cấu hình, kết nối Telegram và cơ sở dữ liệu, kế hoạch nạp khi chạy
run-telegram-unreachable = Không kết nối được với Telegram ({ $server }). Kiểm tra mạng của máy (và proxy, nếu có) và BAOCAO_TELEGRAM_API_URL trong tệp .env (bỏ trống để dùng máy chủ của Telegram), rồi chạy lại.
run-crashed = baocao dừng vì một lỗi ngoài dự kiến (chi tiết ở nhật ký phía trên). Hãy chạy lại; nếu vẫn lỗi, gửi nhật ký cho người quản trị kỹ thuật.
cli-error-database-url = BAOCAO_DATABASE_URL không đúng dạng. Dùng một trong các dạng: postgresql://người-dùng:mật-khẩu@máy-chủ:5432/tên-cơ-sở-dữ-liệu (PostgreSQL), sqlite:///đường-dẫn/baocao.db (SQLite), hoặc bỏ trống để dùng tệp SQLite trong BAOCAO_DATA_DIR.
cli-error-telegram-api-url = BAOCAO_TELEGRAM_API_URL phải bắt đầu bằng http:// hoặc https://, ví dụ http://127.0.0.1:8081/bot. Bỏ trống để dùng máy chủ của Telegram.
run-plan-unchanged = Kế hoạch { $file } không đổi từ lần nạp trước: giữ nguyên.
run-plan-skipped = Không nạp { $file } khi khởi động: kế hoạch đang dùng là { $applied } (Văn phòng đã nạp bằng lệnh) và được giữ nguyên. Muốn dùng { $file }, chạy: baocao plan apply { $file }
cli-error-telegram-token = BAOCAO_TELEGRAM_TOKEN không đúng dạng mã bot (dạng 123456789:ABCdef...). Chép lại nguyên mã từ @BotFather, không thêm dấu cách hay dấu nháy.
cli-error-env-encoding = Tệp .env không phải văn bản UTF-8. Mở tệp bằng trình soạn thảo, lưu lại với bảng mã UTF-8 rồi chạy lại.
cli-error-data-dir = BAOCAO_DATA_DIR «{ $folder }» không phải là thư mục. Đặt BAOCAO_DATA_DIR là một thư mục (ví dụ data), hoặc bỏ trống.
run-token-or-api-url-rejected = Máy chủ Bot API { $server } từ chối mã bot (BAOCAO_TELEGRAM_TOKEN), hoặc BAOCAO_TELEGRAM_API_URL không trỏ tới một máy chủ Bot API (địa chỉ phải kết thúc bằng /bot, ví dụ http://127.0.0.1:8081/bot). Kiểm tra lại cả hai, hoặc bỏ trống BAOCAO_TELEGRAM_API_URL để dùng máy chủ của Telegram.

## Lỗi ngoài dự kiến của một lệnh
cli-crashed = Lệnh dừng vì một lỗi ngoài dự kiến của baocao ({ $error }), không phải do bạn gõ sai. Dữ liệu đã ghi trước đó vẫn được giữ nguyên. Hãy thử lại; nếu vẫn lỗi, chạy lại lệnh với BAOCAO_DEBUG=1 ở đầu (ví dụ BAOCAO_DEBUG=1 baocao status) và gửi toàn bộ nội dung hiện ra cho người quản trị kỹ thuật.

## Những gì gõ nhầm khi dùng baocao: tên biến cấu hình, địa chỉ cơ sở dữ liệu
cli-error-unknown-setting = Tệp .env có biến { $name } mà baocao không dùng; có lẽ ý là { $meant }. Sửa tên biến rồi chạy lại (xem các tên đúng trong .env.example).
cli-error-unknown-setting-no-match = Tệp .env có biến { $name } mà baocao không dùng. Sửa hoặc xóa dòng đó rồi chạy lại (xem các tên đúng trong .env.example).
cli-error-database-folder = Thư mục «{ $folder }» của tệp cơ sở dữ liệu trong BAOCAO_DATABASE_URL không tồn tại. Tạo thư mục đó, sửa BAOCAO_DATABASE_URL, hoặc bỏ trống để dùng tệp trong BAOCAO_DATA_DIR.
cli-error-qr-is-folder = «{ $folder }» là một thư mục: sau --qr hãy ghi tên tệp ảnh, ví dụ --qr moi.png. Chưa tạo mã mời nào.
cli-error-qr-not-writable = Không ghi được tệp vào thư mục «{ $folder }» (không có quyền ghi, hoặc ổ đĩa chỉ đọc) nên chưa tạo mã mời. Chọn thư mục khác cho --qr, ví dụ --qr moi.png.
cli-error-qr-write-failed = Không ghi được mã QR vào { $file }. Mã mời ở trên vẫn dùng được: gửi đường dẫn cho người được mời, hoặc tạo lại mã QR với một tệp khác.
cli-error-admins = BAOCAO_ADMINS có «{ $value }», không phải mã người dùng Telegram (chỉ gồm chữ số) hay tên người dùng (@ và 5 đến 32 chữ cái, chữ số, dấu _). Ghi các quản trị viên cách nhau bằng dấu phẩy, ví dụ 123456789,@nguyenvana.
cli-error-bot-username = BAOCAO_TELEGRAM_BOT_USERNAME không phải tên của một bot Telegram (5 đến 32 chữ cái, chữ số hoặc dấu _, kết thúc bằng «bot», ví dụ @baocao_so_bot). Chép đúng tên bot từ @BotFather, hoặc bỏ trống để hỏi Telegram.
run-polling-conflict = Một baocao khác đang nhận tin nhắn bằng cùng mã bot (trên máy này hoặc máy khác), nên hai bên giành tin nhắn của nhau. Chỉ để một baocao nhận tin nhắn: dừng bản thừa (Ctrl-C), hoặc đặt BAOCAO_TELEGRAM_POLLING=false cho bản chỉ gửi tin nhắc.
run-polling-network = Tạm mất kết nối với Telegram; baocao tự kết nối lại khi mạng trở lại. Nếu kéo dài, kiểm tra mạng của máy (và proxy, nếu có).
run-stopping = Đang dừng: xử lý nốt các tin nhắn đã nhận rồi thoát.
cli-error-no-data-here = Chưa có dữ liệu baocao trong thư mục { $folder }. Nếu baocao đã chạy ở thư mục khác, hãy chuyển vào thư mục đó (nơi có tệp .env) rồi chạy lại lệnh. Nếu mới cài, hãy nạp kế hoạch trước: baocao plan apply TỆP-KẾ-HOẠCH.yaml
cli-value-number = số
cli-value-text = chữ
cli-value-path = tệp
run-token-revoked = Telegram không còn nhận mã bot (BAOCAO_TELEGRAM_TOKEN): có thể mã đã được đổi hoặc thu hồi qua @BotFather. baocao đã dừng để không bỏ sót tin nhắn. Hãy lấy mã hiện tại từ @BotFather (lệnh /mybots, chọn bot, «API Token»), ghi vào tệp .env rồi chạy lại.

cli-opt-same-as = Mời người số này (xem baocao contacts) dùng thêm một ứng dụng chat khác (như Zalo): tài khoản mới được gắn với người đó, cùng đơn vị và vai trò; không ghi MÃ-ĐƠN-VỊ.
cli-invite-no-unit = Cần mã đơn vị, ví dụ baocao invite phong-ttbcxb; hoặc --same-as SỐ để mời một người đã có dùng thêm ứng dụng chat khác.
cli-invite-same-as-unit = Với --same-as, đơn vị và vai trò lấy theo người số { $contact }: bỏ «{ $value }» đi.
cli-contact-reach-help = Chọn ứng dụng chat nhận tin nhắc hạn và tóm tắt của một người dùng hai ứng dụng (telegram, zalo, web, ...).
cli-arg-platform = Tên ứng dụng chat: telegram, zalo, web, console.
cli-metavar-platform = ỨNG-DỤNG
cli-contact-reached = Từ nay tin nhắc hạn và tóm tắt của { $name } gửi qua { $platform }.
