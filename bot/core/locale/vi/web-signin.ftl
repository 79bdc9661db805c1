## The web app: signing in, invites on the web, notices, and the process that serves it

signin-confirm-title = Đăng nhập baocao
signin-confirm-who = Đường liên kết này đăng nhập cho { $name } ({ $role }).
signin-confirm-unit = Đơn vị: { $unit }.
signin-confirm-until = Đường liên kết dùng được một lần, đến { $moment }.
signin-confirm-button = Đăng nhập
signin-confirm-not-me = Nếu không phải anh/chị, hãy đóng trang này; không có gì thay đổi.
signin-link-used = Đường liên kết đăng nhập này đã được dùng. Mỗi đường liên kết chỉ dùng được một lần. Hãy nhắn /web cho bot baocao để nhận đường liên kết mới; cán bộ Văn phòng có thể chạy lệnh baocao web login.
signin-link-expired = Đường liên kết đăng nhập này đã hết hạn. Hãy nhắn /web cho bot baocao để nhận đường liên kết mới; cán bộ Văn phòng có thể chạy lệnh baocao web login.
signin-link-forged = Đường liên kết đăng nhập này không đúng: có thể đã bị chép thiếu hoặc sửa. Hãy mở lại đúng đường liên kết bot đã gửi, hoặc nhắn /web cho bot baocao để nhận đường liên kết mới.
signin-server-error = Đã có lỗi trong baocao nên chưa làm được việc này. Hãy thử lại sau ít phút; nếu vẫn lỗi, hãy báo Văn phòng.
signin-welcome-title = Chào mừng đến với baocao
signin-welcome-what = Đây là nơi các đơn vị nộp báo cáo (kể cả tệp lớn) và Văn phòng theo dõi tình hình nộp báo cáo.
signin-welcome-how-title = Cách đăng nhập
signin-welcome-how-unit = Đầu mối đơn vị: nhắn /web cho bot baocao, rồi mở đường liên kết bot gửi lại. Chưa đăng ký thì mở đường liên kết mời Văn phòng gửi.
signin-welcome-how-office = Cán bộ Văn phòng và lãnh đạo: nhắn /web cho bot baocao, hoặc chạy lệnh baocao web login trên máy chủ.
signin-welcome-guide = Đọc hướng dẫn sử dụng
signin-invite-title = Đăng ký với baocao
signin-invite-for = Lời mời này dành cho { $role } của { $unit }.
signin-invite-name = Họ và tên của anh/chị
signin-invite-button = Đăng ký và đăng nhập
signin-invite-name-needed = Hãy nhập họ và tên của anh/chị.
signin-notices-title = Thông báo
signin-notices-new = mới
signin-notices-none = Chưa có thông báo nào.
signin-office-name = Văn phòng
cli-error-public-url = BAOCAO_PUBLIC_URL không đúng dạng. Hãy ghi địa chỉ bắt đầu bằng http:// hoặc https://, ví dụ https://baocao.so.gov.vn
signin-notice-file = Tệp «{ $name }» xem và tải về trên trang web baocao (bảng theo dõi của Văn phòng, hoặc trang báo cáo của đơn vị).
signin-port-busy = Cổng { $port } trên { $host } đang có chương trình khác dùng, nên chưa mở được trang web baocao. Hãy tắt chương trình đó (có thể là một baocao khác đang chạy), hoặc chọn cổng khác bằng dòng BAOCAO_WEB_PORT= trong tệp .env.
signin-port-failed = Không mở được trang web baocao trên { $host }:{ $port }: { $reason }. Hãy kiểm tra BAOCAO_WEB_HOST và BAOCAO_WEB_PORT trong tệp .env.
signin-bind-not-here = địa chỉ này không thuộc máy này
signin-bind-unknown-host = không tìm thấy máy có tên này
signin-bind-denied = cổng dưới 1024 chỉ quản trị viên hệ thống mới được mở, hãy chọn cổng khác (ví dụ 8080)
signin-bind-other = hệ điều hành không cho mở cổng này
run-web-address = Trang web baocao: { $address }
run-web-office-link = Đường liên kết đăng nhập cho Văn phòng (dùng một lần, trong { $minutes } phút): { $link }
run-web-add-token = Chưa có bot chat nào: baocao chỉ chạy trang web. Muốn dùng cả bot Telegram, hãy tạo bot bằng cách nhắn /newbot cho @BotFather, rồi chép mã bot vào tệp .env ở thư mục baocao, dòng BAOCAO_TELEGRAM_TOKEN=mã-bot; muốn dùng bot Zalo, chép mã bot Zalo (trong trang quản lý Zalo Bot) vào dòng BAOCAO_ZALO_TOKEN=mã-bot. Rồi chạy lại baocao.
cli-web-help = Trang web baocao: đường liên kết đăng nhập, đăng xuất mọi người.
cli-web-login-help = In một đường liên kết đăng nhập dùng một lần: không ghi số người liên hệ thì cho cán bộ Văn phòng (15 phút); ghi số (như lệnh baocao contacts liệt kê) thì cho người đó, theo vai trò của họ.
cli-arg-web-contact = Số của người liên hệ, như lệnh baocao contacts liệt kê. Bỏ trống: cán bộ Văn phòng.
cli-web-login-link = Đường liên kết đăng nhập cho { $name } ({ $role }), dùng một lần, đến { $expires }. Chỉ gửi cho đúng người đó:
cli-web-no-contact = Không có người liên hệ số { $number } đang hoạt động. Xem số của từng người bằng lệnh baocao contacts.
cli-web-logout-all-help = Đăng xuất mọi người khỏi trang web baocao (mọi phiên đăng nhập kết thúc).
cli-web-logged-out = Đã đăng xuất { $count } phiên đăng nhập trên trang web.
web-link = Đường liên kết đăng nhập trang web baocao của anh/chị (dùng một lần, đến { $until }): { $link }
    Mở đường liên kết rồi bấm «Đăng nhập». Đừng chuyển đường liên kết này cho người khác.
web-upload-instead = Nộp qua web: tệp lớn nộp được trên trang web baocao. Đường liên kết đăng nhập của anh/chị (dùng một lần, đến { $until }): { $link }
web-upload-other = Nộp tệp, ảnh trên trang web baocao: đường liên kết đăng nhập của anh/chị (dùng một lần, đến { $until }): { $link }
web-link-off = Trang web baocao chưa được bật, nên chưa có đường liên kết đăng nhập. Hãy liên hệ Văn phòng.
