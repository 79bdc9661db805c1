# Several instances behind a load balancer: webhooks, the shared file store, the shared limit.

telegram-webhook-needs-web = Telegram được đặt nhận tin qua webhook, nên Telegram sẽ gửi tin tới trang web của baocao, nhưng trang web đang tắt (BAOCAO_WEB=false). Bật trang web, hoặc bỏ trống BAOCAO_TELEGRAM_WEBHOOK_SECRET và tắt BAOCAO_WEBHOOK để nhận tin bằng cách hỏi định kỳ.
telegram-webhook-needs-https = Telegram được đặt nhận tin qua webhook, nên Telegram cần gửi tin tới { $url }, nhưng Telegram chỉ gửi tới địa chỉ https://. Đặt BAOCAO_PUBLIC_URL là địa chỉ https:// công khai của baocao.
webhook-needs-secret = Chế độ webhook đang bật (BAOCAO_WEBHOOK hoặc --webhook) nhưng { $name } còn trống. Đặt { $name } là một chuỗi bí mật 8-256 ký tự (A-Z, a-z, 0-9, _ và -), giống nhau ở mọi bản baocao.
cli-error-telegram-webhook-secret = BAOCAO_TELEGRAM_WEBHOOK_SECRET phải dài từ 8 đến 256 ký tự, chỉ gồm chữ cái không dấu (A-Z, a-z), chữ số, dấu _ và dấu -.
cli-opt-webhook = Nhận tin của mọi nền tảng chat qua webhook của trang web (để chạy nhiều bản baocao sau bộ cân bằng tải).
store-marker-missing = Không khởi động: thư mục tệp { $folder } không phải kho tệp mà cơ sở dữ liệu này đang dùng (thiếu tệp đánh dấu kho). Khi chạy nhiều bản baocao, mọi bản phải dùng chung một thư mục dữ liệu (BAOCAO_DATA_DIR trên ổ dùng chung). Nếu đây đúng là kho tệp chung (ví dụ vừa khôi phục từ bản sao lưu), tạo tệp { $file } chứa một dòng: { $marker }
store-marker-other = Không khởi động: thư mục tệp { $folder } là kho tệp của một cơ sở dữ liệu khác. Khi chạy nhiều bản baocao, mọi bản phải dùng chung một cơ sở dữ liệu và một thư mục dữ liệu (BAOCAO_DATA_DIR trên ổ dùng chung); kiểm tra lại BAOCAO_DATA_DIR và BAOCAO_DATABASE_URL.
webhook-cli-help = Webhook của Telegram và Zalo: nơi nền tảng gửi tin tới baocao (khi chạy nhiều bản sau bộ cân bằng tải).
webhook-cli-set-help = Đặt webhook của mọi nền tảng chat đã cấu hình về BAOCAO_PUBLIC_URL, với chuỗi bí mật của từng nền tảng.
webhook-cli-delete-help = Xoá webhook của mọi nền tảng chat đã cấu hình (để quay lại nhận tin bằng cách hỏi định kỳ).
webhook-cli-info-help = Cho biết webhook hiện tại của từng nền tảng chat.
webhook-cli-no-platform = Chưa cấu hình nền tảng chat nào: đặt BAOCAO_TELEGRAM_TOKEN hoặc BAOCAO_ZALO_TOKEN trước.
webhook-cli-set = { $platform }: đã đặt webhook { $url }.
webhook-cli-deleted = { $platform }: đã xoá webhook; baocao sẽ nhận tin bằng cách hỏi định kỳ.
webhook-cli-info-none = { $platform }: không dùng webhook (baocao nhận tin bằng cách hỏi định kỳ).
webhook-cli-info = { $platform }: webhook { $url }.
webhook-cli-info-pending = { $platform }: webhook { $url }, { $pending } tin đang chờ gửi tới.
webhook-cli-last-error = Lỗi gửi tin gần nhất ({ $at }): { $error }
