## Bản tổng hợp (tệp Word) báo cáo các đơn vị đã nộp, để Văn phòng soạn báo cáo chung

# Phần đầu của bản tổng hợp
compile-instance = Kỳ báo cáo: { $instance }
compile-deadline = Hạn nộp: { $deadline }
compile-period = Kỳ số liệu: { $dates }
compile-made-at = Tổng hợp lúc: { $at }
compile-counts = { $done }/{ $total } đơn vị đã nộp ({ $on_time } đúng hạn, { $late } trễ hạn); { $missing } đơn vị chưa nộp.
compile-draft-note = Bản nháp do baocao ghép tự động từ báo cáo các đơn vị đã gửi, để Văn phòng biên tập thành báo cáo chung; chưa phải văn bản chính thức.

# Bảng tình hình nộp
compile-status-heading = I. Tình hình nộp báo cáo
compile-col-number = STT
compile-col-unit = Đơn vị
compile-col-state = Tình trạng
compile-col-first = Nộp lần đầu
compile-col-latest = Bản mới nhất
compile-state-on-time = Đúng hạn
compile-state-late = Trễ { $late }
compile-state-missing = Chưa nộp (đã trễ { $late })
compile-state-pending = Chưa nộp, còn trong hạn
compile-latest = Phiên bản { $version }, { $at }

# Báo cáo từng đơn vị
compile-units-heading = II. Báo cáo của các đơn vị
compile-units-none = Chưa đơn vị nào gửi báo cáo cho kỳ này.
compile-version-text = Nội dung gửi qua tin nhắn — phiên bản { $version }, { $at }, mã biên nhận { $code }.
compile-version-file = Tệp «{ $name }» — phiên bản { $version }, { $at }, mã biên nhận { $code }.
compile-version-note = Lời nhắn kèm tệp: { $note }
compile-annexed-name = «{ $name }» (phiên bản { $version })
compile-in-annex = Tệp gửi kèm, xem Phụ lục: { $names }.
compile-older = Phiên bản { $versions } đã được đơn vị thay bằng bản mới hơn nên không đưa vào đây.
compile-docx-broken = Không đọc được tệp Word «{ $name }» (phiên bản { $version }): tệp hỏng hoặc không đúng định dạng. Xem Phụ lục.
compile-docx-too-large = Không ghép tệp Word «{ $name }» (phiên bản { $version }) vì tệp quá lớn. Xem Phụ lục.
compile-file-missing = Không tìm thấy tệp «{ $name }» (phiên bản { $version }) trên máy chủ. Xem Phụ lục.

# Phụ lục
compile-annex-heading = Phụ lục
compile-annex-intro = Các tệp đơn vị đã gửi nhưng không ghép vào nội dung bên trên (PDF, bảng tính, ảnh, tệp khác, tệp Word không đọc được). Mở tệp gốc theo mã biên nhận.
compile-col-file = Tệp
compile-col-version = Phiên bản
compile-col-at = Nộp lúc
compile-col-code = Mã biên nhận
compile-col-note = Ghi chú
compile-annex-broken = Tệp Word hỏng hoặc không đúng định dạng: mở tệp gốc để xem.
compile-annex-too-large = Tệp Word quá lớn để ghép: mở tệp gốc để xem.
compile-annex-missing = Không tìm thấy tệp trên máy chủ.

# Chọn kỳ báo cáo
compile-no-instance = Báo cáo «{ $report }» không còn kỳ nào đang theo dõi.
compile-unknown-instance = Báo cáo «{ $report }» không có kỳ «{ $instance }». Các kỳ: { $keys }.

# Lệnh baocao compile
cli-compile-help = Ghép báo cáo các đơn vị đã nộp thành một tệp Word để Văn phòng soạn báo cáo chung: bảng tình hình nộp, nội dung từng đơn vị theo thứ tự kế hoạch, phụ lục các tệp khác.
cli-arg-compile-report = Mã báo cáo, ví dụ dcs-6-thang-2024 (xem: baocao status).
cli-opt-compile-docx = Tệp Word sẽ ghi, đuôi .docx; tệp cùng tên được thay.
cli-opt-compile-instance = Mã kỳ báo cáo; mặc định là kỳ có hạn nộp gần hôm nay nhất.
cli-compile-done = Đã ghi bản tổng hợp { $file }: «{ $name }», kỳ { $instance }, { $done }/{ $total } đơn vị đã nộp.
cli-compile-parts = Đã ghép { $documents } tệp Word và { $texts } nội dung gửi qua tin nhắn; Phụ lục có { $annexed } tệp.
cli-compile-unread = Không ghép được «{ $name }» của { $unit }: { $why }
cli-compile-other-instances = Báo cáo này còn các kỳ: { $keys }. Chọn kỳ khác bằng --instance MÃ-KỲ.
compile-error-not-docx = Tên tệp { $file } phải có đuôi .docx, ví dụ tong-hop.docx.

# Lệnh /tonghop trong trò chuyện
compile-not-allowed = Chỉ cán bộ Văn phòng mới lấy được bản tổng hợp.
compile-none = Chưa có báo cáo nào để tổng hợp.
compile-which = Gõ /tonghop kèm mã báo cáo (và mã kỳ nếu cần), ví dụ /tonghop { $example }. Các mã báo cáo: { $codes }.
compile-unknown-report = Không có báo cáo nào mã «{ $report }». Các mã báo cáo: { $codes }.
compile-caption = Bản tổng hợp (nháp) «{ $name }», kỳ { $instance }: { $done }/{ $total } đơn vị đã nộp, ghép { $documents } tệp Word, Phụ lục { $annexed } tệp.
compile-caption-unread = Không ghép được { $count } tệp Word hỏng hoặc quá lớn: xem Phụ lục.
compile-too-big = Bản tổng hợp nặng { $size } MB, quá giới hạn { $limit } MB gửi qua đây. Hãy lấy trên máy chủ bằng lệnh: baocao compile { $report } --docx tong-hop.docx
compile-file-name = Tổng hợp { $report }.docx
compile-file-name-instance = Tổng hợp { $report } ({ $instance }).docx
cli-metavar-instance = MÃ-KỲ
