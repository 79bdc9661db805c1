## Sao lưu, khôi phục và kiểm tra tệp đã nộp (baocao backup, restore, verify; sao lưu tự động)

backup-cli-help = Sao lưu toàn bộ dữ liệu vào một tệp: cơ sở dữ liệu, các tệp đơn vị đã nộp và bảng kê mã SHA-256 của từng phần. Bot vẫn chạy bình thường trong lúc sao lưu.
backup-cli-restore-help = Khôi phục dữ liệu từ một tệp sao lưu vào nơi còn trống (cơ sở dữ liệu chưa có bảng nào, kho tệp chưa có tệp nào). Mọi phần được kiểm tra trước khi ghi; tệp hỏng hoặc bị sửa thì không ghi gì.
backup-cli-verify-help = Kiểm tra mọi tệp đơn vị đã nộp: còn trên máy chủ, đúng kích thước và mã SHA-256 như lúc nộp.
backup-cli-arg-file = Tệp sao lưu sẽ ghi (.tar), ví dụ sao-luu-2024-05-20.tar
backup-cli-arg-restore-file = Tệp sao lưu (.tar) do lệnh baocao backup hoặc sao lưu tự động tạo ra.

backup-cli-written = Đã ghi bản sao lưu { $file }: cơ sở dữ liệu { $database } (cấu trúc phiên bản { $revision }) và { $files } tệp đã nộp, { $size } MB.
backup-cli-restored = Đã khôi phục từ { $file } (sao lưu lúc { $created }): cơ sở dữ liệu { $database } và { $files } tệp đã nộp. Cấu trúc cơ sở dữ liệu đã cập nhật lên phiên bản { $revision }.
backup-cli-verify-ok = { $count ->
    [0] Chưa có tệp nào được nộp.
   *[other] Cả { $count } tệp đã nộp đều nguyên vẹn: có trên máy chủ, đúng kích thước và mã SHA-256 như lúc nộp.
}
backup-cli-verify-problems = { $problems } trong { $count } tệp đã nộp có vấn đề:
backup-cli-verify-line = { $unit } — { $report }, kỳ { $round }, phiên bản { $version }, mã biên nhận { $receipt }: { $what }
backup-problem-missing = không tìm thấy tệp trên máy chủ
backup-problem-size = tệp có { $actual } byte, lúc nộp là { $expected } byte
backup-problem-hash = nội dung đã khác lúc nộp (mã SHA-256 không khớp)
backup-problem-unreadable = không đọc được tệp (kiểm tra quyền truy cập)
backup-problem-path = đường dẫn tệp ghi trong cơ sở dữ liệu không hợp lệ

backup-progress-database = Sao chép cơ sở dữ liệu
backup-progress-files = Ghi bản sao lưu
backup-progress-check = Kiểm tra bản sao lưu
backup-progress-restore = Giải nén
backup-progress-verify = Kiểm tra tệp đã nộp

backup-error-exists = Tệp «{ $file }» đã có. Chọn tên khác, hoặc xóa tệp đó trước: bản sao lưu không ghi đè tệp nào.
backup-error-no-file = Không có tệp sao lưu «{ $file }».
backup-error-no-database = Chưa có cơ sở dữ liệu «{ $file }» để sao lưu.
backup-error-sqlite-busy = Cơ sở dữ liệu «{ $file }» đang bị khóa quá lâu; chưa ghi tệp sao lưu nào. Chạy lại sau ít phút.
backup-error-sqlite-damaged = Cơ sở dữ liệu «{ $file }» bị hỏng, không sao lưu được; chưa ghi tệp sao lưu nào.
backup-error-no-pg-tool = Không tìm thấy chương trình { $tool } của PostgreSQL (cần để sao lưu và khôi phục). Cài gói postgresql-client (ví dụ: apt install postgresql-client) rồi chạy lại.
backup-error-pg-tool = { $tool } của PostgreSQL báo lỗi; chưa ghi gì. Thông báo của { $tool }: { $detail }
backup-error-damaged = Tệp «{ $file }» không phải bản sao lưu của baocao, hoặc đã hỏng hay bị cắt cụt; chưa ghi gì.
backup-error-no-manifest = Tệp «{ $file }» thiếu bảng kê (manifest.json): không phải bản sao lưu đầy đủ của baocao; chưa ghi gì.
backup-error-manifest = Bảng kê (manifest.json) trong tệp sao lưu không đọc được hoặc sai dạng; chưa ghi gì.
backup-error-format = Tệp sao lưu theo định dạng phiên bản { $found }, mới hơn bản baocao này; hãy cập nhật baocao rồi khôi phục. Chưa ghi gì.
backup-error-newer-schema = Tệp sao lưu có cấu trúc cơ sở dữ liệu phiên bản { $revision }, mới hơn bản baocao này; hãy cập nhật baocao rồi khôi phục. Chưa ghi gì.
backup-error-unsafe-name = Tệp sao lưu có mục mang tên không an toàn «{ $name }» (đường dẫn tuyệt đối, «..» hoặc tên lạ): có thể đã bị sửa; chưa ghi gì.
backup-error-not-a-file = Mục «{ $name }» trong tệp sao lưu không phải tệp thường (liên kết, thư mục hoặc thiết bị): có thể đã bị sửa; chưa ghi gì.
backup-error-duplicate = Mục «{ $name }» xuất hiện hai lần trong tệp sao lưu: có thể đã bị sửa; chưa ghi gì.
backup-error-extra = Mục «{ $name }» trong tệp sao lưu không có trong bảng kê: có thể đã bị sửa; chưa ghi gì.
backup-error-missing-entry = Tệp sao lưu thiếu mục «{ $name }» có trong bảng kê: tệp không đầy đủ hoặc bị cắt cụt; chưa ghi gì.
backup-error-hash = Mục «{ $name }» trong tệp sao lưu khác với bảng kê (kích thước hoặc mã SHA-256): tệp đã hỏng hoặc bị sửa; chưa ghi gì.
backup-error-database-not-empty = Cơ sở dữ liệu đích không trống: đã có { $count } bảng ({ $tables }). Chỉ khôi phục vào cơ sở dữ liệu mới, chưa có bảng nào (PostgreSQL: tạo bằng createdb; SQLite: một thư mục BAOCAO_DATA_DIR mới). Chưa ghi gì.
backup-error-files-not-empty = Kho tệp «{ $folder }» không trống: đã có { $count } tệp. Chỉ khôi phục vào thư mục dữ liệu mới. Chưa ghi gì.
backup-error-kind-sqlite = Tệp sao lưu là của cơ sở dữ liệu SQLite, còn nơi khôi phục là PostgreSQL (BAOCAO_DATABASE_URL): không khôi phục chéo loại. Bỏ trống BAOCAO_DATABASE_URL để khôi phục vào SQLite. Chưa ghi gì.
backup-error-kind-postgresql = Tệp sao lưu là của cơ sở dữ liệu PostgreSQL, còn nơi khôi phục là SQLite: không khôi phục chéo loại. Đặt BAOCAO_DATABASE_URL trỏ tới một cơ sở dữ liệu PostgreSQL mới, trống. Chưa ghi gì.
backup-error-restore-failed = Không ghi được dữ liệu khôi phục vào «{ $folder }» (ổ đĩa đầy, hoặc không có quyền ghi); chưa ghi gì. Giải phóng chỗ trống hoặc chọn thư mục khác rồi chạy lại.
backup-error-write-failed = Không ghi được tệp sao lưu «{ $file }» (ổ đĩa đầy, hoặc không có quyền ghi); không có tệp nào được ghi dở.

backup-daily-done = Đã sao lưu tự động vào { $file } ({ $size } MB); giữ { $keep } bản mới nhất.
backup-daily-failed = Sao lưu tự động không thành công: { $reason }
backup-daily-not-mine = Một tiến trình baocao khác dùng chung cơ sở dữ liệu đang đảm nhận việc sao lưu tự động; tiến trình này bỏ qua.

cli-error-backup-keep = BAOCAO_BACKUP_KEEP phải là một số nguyên từ 0 đến 1000: số bản sao lưu tự động được giữ (0 là tắt sao lưu tự động).
cli-error-backup-dir = BAOCAO_BACKUP_DIR «{ $folder }» không phải là thư mục. Đặt một thư mục để chứa các bản sao lưu tự động, hoặc bỏ trống để dùng thư mục sao-luu trong BAOCAO_DATA_DIR.
