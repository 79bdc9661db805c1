## Zalo: what the bot says there, and what baocao says about it at start

zalo-file-elsewhere = (Tệp «{ $name }» được gửi qua nền tảng khác; xem trên trang web của baocao.)
zalo-file-not-sent = Tệp «{ $name }» không gửi được qua Zalo; hãy lấy tệp trên trang web của baocao.
zalo-file-link = Tải tệp «{ $name }» tại: { $link } (liên kết dùng được trong { $minutes } phút).
zalo-photo-gone = Bot không tải được ảnh vừa gửi từ Zalo (ảnh có thể đã bị xóa hoặc hết hạn), nên chưa lưu gì. Hãy gửi lại ảnh.

## Khởi động và nhận tin trên Zalo
zalo-started = Bot Zalo «{ $name }» đã sẵn sàng nhận tin nhắn.
zalo-token-rejected = Zalo từ chối mã bot (BAOCAO_ZALO_TOKEN): mã sai, đã hết hạn hoặc đã bị thu hồi. Lấy mã hiện tại của bot trên trang quản lý Zalo Bot, ghi vào tệp .env (dòng BAOCAO_ZALO_TOKEN=...) rồi chạy lại.
zalo-unreachable = Không kết nối được với Zalo ({ $server }). Kiểm tra mạng của máy (và proxy, nếu có) và BAOCAO_ZALO_API_URL trong tệp .env (bỏ trống để dùng máy chủ của Zalo), rồi chạy lại.
zalo-refused = Máy chủ Zalo ({ $server }) từ chối yêu cầu khi khởi động bot: { $reason }. Kiểm tra BAOCAO_ZALO_TOKEN, BAOCAO_ZALO_WEBHOOK_SECRET và BAOCAO_PUBLIC_URL trong tệp .env.
zalo-token-revoked = Zalo không còn nhận mã bot (BAOCAO_ZALO_TOKEN): có thể mã đã được đổi hoặc thu hồi. baocao ngừng nhận tin Zalo (các nền tảng khác vẫn chạy). Hãy ghi mã hiện tại vào tệp .env rồi chạy lại baocao.
zalo-polling-network = Tạm mất kết nối với Zalo; baocao tự kết nối lại khi mạng trở lại. Nếu kéo dài, kiểm tra mạng của máy (và proxy, nếu có).
zalo-polling-refused = Zalo tạm từ chối việc nhận tin; baocao tự thử lại. Nếu kéo dài, kiểm tra xem bot có đang đặt webhook ở nơi khác không.
zalo-webhook-needs-web = BAOCAO_ZALO_WEBHOOK_SECRET đã được đặt, nên Zalo sẽ gửi tin tới trang web của baocao, nhưng trang web đang tắt (BAOCAO_WEB=false). Bật trang web, hoặc bỏ trống BAOCAO_ZALO_WEBHOOK_SECRET để nhận tin Zalo bằng cách hỏi định kỳ.
zalo-webhook-needs-https = BAOCAO_ZALO_WEBHOOK_SECRET đã được đặt, nên Zalo cần gửi tin tới { $url }, nhưng Zalo chỉ gửi tới địa chỉ https://. Đặt BAOCAO_PUBLIC_URL là địa chỉ https:// công khai của baocao, hoặc bỏ trống BAOCAO_ZALO_WEBHOOK_SECRET để nhận tin Zalo bằng cách hỏi định kỳ.

## Cấu hình Zalo sai dạng
cli-error-zalo-token = BAOCAO_ZALO_TOKEN không đúng dạng mã bot Zalo (dạng 1234567890123456789:AbCdEf..., chỉ gồm chữ, số và các dấu : _ - .). Chép lại nguyên mã trong trang quản lý bot Zalo, không thêm dấu cách hay dấu nháy.
cli-error-zalo-api-url = BAOCAO_ZALO_API_URL phải là địa chỉ http:// hoặc https:// của máy chủ Zalo Bot API, ví dụ https://bot-api.zaloplatforms.com. Bỏ trống để dùng máy chủ của Zalo.
cli-error-zalo-webhook-secret = BAOCAO_ZALO_WEBHOOK_SECRET phải dài từ 8 đến 256 ký tự, chỉ gồm chữ cái không dấu (A-Z, a-z), chữ số, dấu _ và dấu -. Bỏ trống để nhận tin Zalo bằng cách hỏi định kỳ, không cần webhook.
cli-error-zalo-bot-link = BAOCAO_ZALO_BOT_LINK phải là một địa chỉ http:// hoặc https:// (liên kết tới bot trên Zalo, ví dụ https://zalo.me/...). Bỏ trống nếu không có.

## Lời mời cho người dùng Zalo
cli-invite-zalo = Trên Zalo: tìm bot «{ $name }» và gửi cho bot đúng mã này: { $code }
cli-invite-zalo-link = Đường dẫn tới bot trên Zalo: { $link }
cli-invite-zalo-qr-link = Đã ghi mã QR mở bot trên Zalo vào { $file } (quét bằng Zalo, rồi gửi mã mời cho bot).
cli-invite-zalo-qr-code = Đã ghi mã QR chứa mã mời vào { $file } (chưa biết đường dẫn tới bot trên Zalo: đặt BAOCAO_ZALO_BOT_LINK trong tệp .env để mã QR mở thẳng bot).
