## Tin nhắn của bot trong cuộc trò chuyện

stranger = Xin chào! baocao là trợ lý nhận báo cáo của Văn phòng Sở, chỉ làm việc với đầu mối các đơn vị đã được mời. Nếu bạn là đầu mối, hãy mở đường dẫn mời mà Văn phòng gửi cho bạn, hoặc gửi mã mời vào đây.

start-no-code = Xin chào! Bạn chưa đăng ký. Hãy mở đường dẫn mời mà Văn phòng Sở gửi cho bạn, hoặc gửi mã mời vào đây (chỉ gõ mã, hoặc /start kèm mã mời).
start-unknown = Mã mời không đúng. Hãy mở lại đúng đường dẫn Văn phòng gửi (hoặc chép đúng mã mời, phân biệt chữ hoa chữ thường), hoặc xin Văn phòng mã mới.
start-used = Mã mời này đã được dùng để đăng ký cho người khác. Mỗi mã chỉ dùng được một lần: hãy xin Văn phòng một mã mới cho bạn.
start-expired = Mã mời này đã hết hạn. Hãy xin Văn phòng một mã mới.
start-revoked = Mã mời này đã bị Văn phòng hủy. Hãy liên hệ Văn phòng để được mời lại.

greet = Chào { $name }! Bạn đã đăng ký là { $role } của { $unit }. baocao sẽ nhắc bạn trước hạn nộp báo cáo (vào ngày làm việc) và nhận báo cáo ngay trong cuộc trò chuyện này, kèm biên nhận.
greet-again = Chào { $name }! Bạn là { $role } của { $unit }.
greet-leader = Bạn sẽ nhận tóm tắt tình hình nộp báo cáo của các đơn vị. Gõ /tinhhinh để xem ngay.
greet-open = Báo cáo đang chờ đơn vị nộp ({ $count }):
greet-how = Cách nộp: gửi tệp (Word, PDF, Excel, ODT/ODS, ZIP) hoặc ảnh vào đây; lời nhắn kèm tệp được lưu làm ghi chú. Muốn nộp nội dung ngắn thì gõ nội dung rồi bấm nút xác nhận.
greet-none = Hiện đơn vị chưa có báo cáo nào cần nộp.
greet-office = Là cán bộ Văn phòng, bạn có thể gõ /tinhhinh để xem đơn vị nào đã nộp, và gõ /nhom trong nhóm Văn phòng để bot đăng tình hình vào nhóm.

help =
    baocao nhận báo cáo của đơn vị bạn và nhắc hạn nộp.
    • Nộp báo cáo: gửi tệp (Word, PDF, Excel, ODT/ODS, ZIP) hoặc ảnh; hoặc gõ nội dung ngắn rồi bấm «Nộp».
    • Nộp lại: gửi lần nữa, baocao lưu thành phiên bản mới; phiên bản mới nhất được tính.
    • /baocao — báo cáo đơn vị cần nộp, hạn nộp, những gì đã gửi
    • /lich — các hạn nộp sắp tới
    • /huy — hủy bước đang làm
    • /web — đường liên kết đăng nhập trang web baocao (nộp tệp lớn)
    • /nhacqua — chọn ứng dụng chat nhận tin nhắc (khi dùng hai ứng dụng)
    • /dulieu — xem dữ liệu baocao lưu về bạn
    • /huongdan — xem hướng dẫn này
help-office =
    baocao nhắc các đơn vị nộp báo cáo và cho Văn phòng biết tình hình.
    • /tinhhinh — đơn vị nào đã nộp, chưa nộp, trễ hạn (thêm mã báo cáo để xem một báo cáo)
    • /lich — các hạn nộp sắp tới của mọi báo cáo
    • /taitep — tải về một tệp nén gồm tệp của mọi đơn vị và bảng tình hình (thêm mã báo cáo, và «tatca» để lấy mọi phiên bản)
    • /nhom — gõ trong nhóm Văn phòng để bot đăng tình hình và chuyển tệp vào nhóm
    • /tonghop — bản tổng hợp (tệp Word) báo cáo các đơn vị đã nộp, để soạn báo cáo chung (thêm mã báo cáo, và mã kỳ nếu cần)
    • /baocao — báo cáo của chính đơn vị bạn
    • /huy — hủy bước đang làm
    • /xuat — tệp Excel tình hình nộp báo cáo (thêm mã báo cáo để xuất một báo cáo)
    • /web — đường liên kết đăng nhập trang web baocao (bảng theo dõi)
    • /nhacqua — chọn ứng dụng chat nhận tin nhắc (khi dùng hai ứng dụng)
    • /dulieu — xem dữ liệu baocao lưu về bạn
    Đơn vị nộp báo cáo bằng cách gửi tệp, ảnh hoặc nội dung cho bot.

menu-baocao = Báo cáo cần nộp và những gì đã gửi
menu-lich = Các hạn nộp sắp tới
menu-tinhhinh = Tình hình nộp báo cáo (Văn phòng, lãnh đạo)
menu-huy = Hủy bước đang làm
menu-huongdan = Hướng dẫn sử dụng

cancel-done = Đã hủy bước đang làm, chưa nộp gì.
cancel-nothing = Không có bước nào đang chờ để hủy.
unknown-command = Bot không hiểu lệnh này. Gõ /huongdan để xem các lệnh.
reports-not-a-unit = Bạn không thuộc đơn vị nào phải nộp báo cáo.
reports-none = { $unit } hiện không có báo cáo nào cần nộp.
reports-title = Báo cáo { $unit } cần nộp ({ $count }):
upcoming-title = Hạn nộp sắp tới:
upcoming-none = Chưa có hạn nộp nào sắp tới.

instance-line = • { $name } — { $deadline }, { $left }. { $sent }
instance-sent = Đã gửi { $versions } phiên bản, mới nhất lúc { $at }.
instance-not-sent = Chưa gửi.
deadline-line = • { $name } — { $deadline }, { $left }
time-left = còn { $left }
time-late = đã trễ { $late }

status-not-allowed = Chỉ cán bộ Văn phòng và lãnh đạo xem được tình hình nộp báo cáo.
status-empty = Không có báo cáo nào đang theo dõi.
status-more = Còn { $count } kỳ báo cáo khác; gõ /tinhhinh kèm mã báo cáo để xem riêng.
status-title = { $name }, { $deadline }: { $done }/{ $total } đơn vị đã nộp, { $late } đơn vị trễ hạn.
status-line-on_time = ✓ { $unit } — nộp lúc { $at }, phiên bản { $version }, đúng hạn
status-line-late = ✓ { $unit } — nộp lúc { $at }, phiên bản { $version }, trễ { $late }
status-line-missing = ✗ { $unit } — chưa nộp, đã trễ { $late }
status-line-pending = … { $unit } — chưa nộp, còn trong hạn

group-only-in-group = Lệnh /nhom dùng trong nhóm chat của Văn phòng: thêm bot vào nhóm rồi gõ /nhom ở đó.
group-not-allowed = Chỉ cán bộ Văn phòng mới gắn được nhóm Văn phòng.
group-bound = Đã gắn nhóm «{ $title }» làm nhóm Văn phòng: baocao sẽ đăng tình hình nộp báo cáo và chuyển tệp các đơn vị nộp vào đây.

submit-nothing-open = { $unit } hiện không có báo cáo nào đang mở để nộp, nên bot chưa lưu gì.
submit-text-confirm = Nộp nội dung này cho báo cáo «{ $name }»?
submit-text-which = Nộp nội dung này cho báo cáo nào?
submit-file-which = Nộp tệp «{ $name }» cho báo cáo nào?
submit-text-too-long = Nội dung dài { $length } ký tự, quá giới hạn { $limit } ký tự của một báo cáo ngắn. Hãy gửi báo cáo dạng tệp (Word, PDF...). Bot chưa lưu gì.
submit-file-type = Tệp «{ $name }» không thuộc loại được nhận. Bot nhận: PDF, Word (DOC, DOCX), Excel (XLS, XLSX), ODT, ODS, ZIP và ảnh (JPG, PNG). Bot chưa lưu gì.
submit-file-too-big = Tệp quá lớn ({ $size } MB); bot chỉ nhận được tệp đến { $limit } MB. Hãy nén tệp (ZIP) hoặc chia nhỏ rồi gửi lại. Bot chưa lưu gì.
submit-file-empty = Tệp trống (0 byte), bot chưa lưu gì. Hãy kiểm tra rồi gửi lại.
submit-file-lies = Tệp «{ $name }» mang đuôi { $kind } nhưng nội dung không phải tệp { $kind }, nên bot chưa lưu gì. Hãy mở tệp để kiểm tra, lưu lại đúng định dạng rồi gửi lại.
submit-disk-full = Máy chủ của bot đã hết chỗ lưu tệp, nên bot chưa lưu gì. Văn phòng Sở đã được ghi nhận sự cố; anh/chị hãy gửi lại tệp sau, hoặc báo Văn phòng.
submit-photo-lies = Ảnh vừa gửi không đọc được như một ảnh (JPG, PNG), nên bot chưa lưu gì. Hãy chụp hoặc lưu lại ảnh rồi gửi lại.
submit-cancelled = Đã hủy, chưa nộp gì.
submit-closed = Báo cáo này không còn mở để nộp; bot chưa lưu gì.
submit-chosen = Đang nộp cho báo cáo «{ $name }»…

button-submit = Nộp
button-cancel = Hủy
button-report = Nộp cho: { $name }
button-invalid = Nút không hợp lệ.
button-not-yours = Nút này không dành cho bạn.
button-stale = Nút này không còn hiệu lực. Hãy gửi lại báo cáo nếu cần.

receipt =
    Biên nhận: đã nhận { $what } của { $unit } cho báo cáo «{ $report }» lúc { $at }.
    Phiên bản { $version }, { $timeliness }.
    Mã biên nhận: { $code }
receipt-what-text = nội dung
receipt-what-photo = ảnh
receipt-what-file = tệp «{ $name }»
receipt-on-time = đúng hạn
receipt-late = trễ hạn { $late }

forward-caption = { $unit } nộp báo cáo «{ $report }», phiên bản { $version } (biên nhận { $code }).
error-sorry = Xin lỗi, bot gặp sự cố khi xử lý tin nhắn này; lỗi đã được ghi lại. Bạn hãy thử lại sau ít phút.

## Nút chỉ cho đúng người, đúng đơn vị, trong trò chuyện riêng; các loại tin nhắn; bản sửa sau hạn
button-private-only = Nút này chỉ dùng trong cuộc trò chuyện riêng với bot.
submit-unit-changed = Bước nộp này được bắt đầu cho { $started }, nhưng bạn nay thuộc { $unit }, nên bot chưa nộp gì. Hãy gửi lại báo cáo nếu cần.
contact-steps-ended-notice = Bước nộp đang chờ xác nhận đã bị hủy, bot chưa nộp gì: hãy gửi lại báo cáo nếu cần.
cli-contact-steps-ended = Đã hủy bước nộp đang chờ của người đó (bot chưa nộp gì).
submit-invisible = Tin nhắn không có chữ nào nhìn thấy được, nên bot chưa lưu gì. Hãy gõ nội dung báo cáo, hoặc gửi tệp, ảnh.
submit-unsupported = Bot không nhận { $what } làm báo cáo, nên chưa lưu gì. Bot nhận: tệp PDF, Word (DOC, DOCX), Excel (XLS, XLSX), ODT, ODS, ZIP; ảnh (JPG, PNG); hoặc nội dung gõ trực tiếp rồi bấm «Nộp».
submit-unsupported-caption = Bot không nhận { $what } làm báo cáo, nên chưa lưu gì, kể cả lời nhắn kèm theo. Bot nhận: tệp PDF, Word (DOC, DOCX), Excel (XLS, XLSX), ODT, ODS, ZIP; ảnh (JPG, PNG); hoặc nội dung gõ trực tiếp rồi bấm «Nộp».
unsupported-video = video
unsupported-audio = tệp âm thanh
unsupported-voice = tin nhắn thoại
unsupported-video_note = tin nhắn video tròn
unsupported-animation = ảnh động (GIF)
unsupported-sticker = nhãn dán (sticker)
unsupported-contact = danh bạ
unsupported-location = vị trí
unsupported-poll = cuộc bình chọn
unsupported-dice = biểu tượng động
unsupported-other = loại tin nhắn này
unsupported-file = tệp gửi qua ứng dụng này
submit-unsupported-file = Bot không nhận được tệp gửi qua ứng dụng này, nên chưa lưu gì. Hãy nộp tệp trên trang web baocao; nội dung ngắn thì gõ trực tiếp vào đây rồi bấm «Nộp».
receipt-short = Biên nhận: bot đã lưu phiên bản { $version }. Mã biên nhận: { $code }
receipt-correction-on-time = bản sửa; lần nộp đầu lúc { $first } đúng hạn
receipt-correction-late = bản sửa; lần nộp đầu lúc { $first } trễ hạn { $late }
submit-text-confirm-correction = Gửi nội dung này làm bản sửa cho báo cáo «{ $name }»?
button-correct = Bản sửa: { $name }, { $deadline }
reports-corrections = Báo cáo đã nộp, đã quá hạn, vẫn gửi được bản sửa ({ $count }):
correction-line = • { $name } — { $deadline }. { $sent }

## Thử từ bên ngoài: mã báo cáo gõ sai, câu hỏi không sửa được, tên tệp
status-unknown-report = Không có báo cáo nào mã «{ $report }». Các mã báo cáo: { $codes }. Gõ /tinhhinh kèm một mã trong số đó, hoặc chỉ /tinhhinh để xem tất cả.
submit-text-edited = Bot nhận nội dung đã sửa; câu hỏi trước không còn hiệu lực.
submit-edit-file = Sửa lời nhắn kèm tệp không thay đổi những gì đã gửi. Nếu cần, hãy gửi lại tệp kèm lời nhắn mới.

# Numbered choices, on a platform without buttons
choice-nothing-offered = Hiện không có lựa chọn nào đang chờ bạn trả lời bằng số. Muốn nộp báo cáo, hãy gửi nội dung hoặc tệp; gõ /huongdan để xem hướng dẫn.
choice-not-offered = Không có lựa chọn số { $number }. Hãy gõ một số từ 1 đến { $count } trong danh sách vừa gửi, hoặc /huy để hủy.
greet-how-numbered = Cách nộp: gửi tệp (Word, PDF, Excel, ODT/ODS, ZIP) hoặc ảnh vào đây; lời nhắn kèm tệp được lưu làm ghi chú. Muốn nộp nội dung ngắn thì gõ nội dung, rồi gõ số của lựa chọn «Nộp» trong danh sách bot gửi lại.

# Where there are no buttons (the console, Zalo): type the number of a choice instead of pressing
help-numbered =
    baocao nhận báo cáo của đơn vị bạn và nhắc hạn nộp.
    • Nộp báo cáo: gửi tệp (Word, PDF, Excel, ODT/ODS, ZIP) hoặc ảnh; hoặc gõ nội dung ngắn rồi gõ số của lựa chọn «Nộp».
    • Nộp lại: gửi lần nữa, baocao lưu thành phiên bản mới; phiên bản mới nhất được tính.
    • /baocao — báo cáo đơn vị cần nộp, hạn nộp, những gì đã gửi
    • /lich — các hạn nộp sắp tới
    • /huy — hủy bước đang làm
    • /web — đường liên kết đăng nhập trang web baocao (nộp tệp lớn)
    • /nhacqua — chọn ứng dụng chat nhận tin nhắc (khi dùng hai ứng dụng)
    • /dulieu — xem dữ liệu baocao lưu về bạn
    • /huongdan — xem hướng dẫn này
submit-unsupported-numbered = Bot không nhận { $what } làm báo cáo, nên chưa lưu gì. Bot nhận: tệp PDF, Word (DOC, DOCX), Excel (XLS, XLSX), ODT, ODS, ZIP; ảnh (JPG, PNG); hoặc nội dung gõ trực tiếp rồi gõ số của lựa chọn «Nộp».
submit-unsupported-caption-numbered = Bot không nhận { $what } làm báo cáo, nên chưa lưu gì, kể cả lời nhắn kèm theo. Bot nhận: tệp PDF, Word (DOC, DOCX), Excel (XLS, XLSX), ODT, ODS, ZIP; ảnh (JPG, PNG); hoặc nội dung gõ trực tiếp rồi gõ số của lựa chọn «Nộp».
submit-unsupported-file-numbered = Bot không nhận được tệp gửi qua ứng dụng này, nên chưa lưu gì. Hãy nộp tệp trên trang web baocao; nội dung ngắn thì gõ trực tiếp vào đây rồi gõ số của lựa chọn «Nộp».
button-stale-numbered = Lựa chọn này không còn hiệu lực. Hãy gửi lại báo cáo nếu cần.

## Một người dùng hai ứng dụng chat: tin nhắc đến ứng dụng nào

platform-telegram = Telegram
platform-zalo = Zalo
platform-web = trang web
platform-console = cửa sổ dòng lệnh
reach-which = Anh/chị đã đăng ký trên { $count } ứng dụng. Tin nhắc hạn và tóm tắt gửi qua ứng dụng nào? Hiện đang gửi qua { $current }. Trả lời tin nhắn vẫn đến đúng nơi anh/chị nhắn.
reach-button = { $platform }
reach-button-current = { $platform } (đang nhận)
reach-chosen = Từ nay tin nhắc hạn và tóm tắt gửi qua { $platform }.
reach-kept = Giữ nguyên: tin nhắc hạn và tóm tắt vẫn gửi qua { $platform }.
reach-only-one = Anh/chị chỉ dùng một ứng dụng chat với baocao, nên tin nhắc hạn gửi đến đây. Muốn nhận qua ứng dụng khác, hãy xin Văn phòng mã mời cho ứng dụng đó.
reach-stale = Lựa chọn này không còn hiệu lực. Gõ /nhacqua để chọn lại.

# Where bots receive no files (Zalo): photos and words in chat, files on the web portal
greet-how-web = Cách nộp: gửi ảnh vào đây, hoặc gõ nội dung ngắn rồi gõ số của lựa chọn «Nộp» trong danh sách bot gửi lại. Tệp (Word, PDF, Excel...) thì nộp trên trang web baocao: gõ /web để nhận đường liên kết đăng nhập.
help-web =
    baocao nhận báo cáo của đơn vị bạn và nhắc hạn nộp.
    • Nộp báo cáo: gửi ảnh, hoặc gõ nội dung ngắn rồi gõ số của lựa chọn «Nộp». Tệp (Word, PDF, Excel...) thì nộp trên trang web baocao.
    • Nộp lại: gửi lần nữa, baocao lưu thành phiên bản mới; phiên bản mới nhất được tính.
    • /baocao — báo cáo đơn vị cần nộp, hạn nộp, những gì đã gửi
    • /lich — các hạn nộp sắp tới
    • /huy — hủy bước đang làm
    • /web — đường liên kết đăng nhập trang web baocao (nộp tệp)
    • /nhacqua — chọn ứng dụng chat nhận tin nhắc (khi dùng hai ứng dụng)
    • /huongdan — xem hướng dẫn này
submit-unsupported-web = Bot không nhận { $what } làm báo cáo, nên chưa lưu gì. Qua ứng dụng này, bot nhận ảnh (JPG, PNG) và nội dung gõ trực tiếp rồi gõ số của lựa chọn «Nộp»; tệp (PDF, Word, Excel, ODT, ODS, ZIP) thì nộp trên trang web baocao.
submit-unsupported-caption-web = Bot không nhận { $what } làm báo cáo, nên chưa lưu gì, kể cả lời nhắn kèm theo. Qua ứng dụng này, bot nhận ảnh (JPG, PNG) và nội dung gõ trực tiếp rồi gõ số của lựa chọn «Nộp»; tệp (PDF, Word, Excel, ODT, ODS, ZIP) thì nộp trên trang web baocao.
choice-nothing-offered-web = Hiện không có lựa chọn nào đang chờ bạn trả lời bằng số. Muốn nộp báo cáo, hãy gửi nội dung hoặc ảnh (tệp thì nộp trên trang web baocao); gõ /huongdan để xem hướng dẫn.
submit-invisible-web = Tin nhắn không có chữ nào nhìn thấy được, nên bot chưa lưu gì. Hãy gõ nội dung báo cáo, hoặc gửi ảnh; tệp thì nộp trên trang web baocao (gõ /web).

## Dữ liệu cá nhân (Luật 91/2025/QH15): thông báo khi đăng ký và lệnh /dulieu
privacy-notice = Lưu ý: baocao là phần mềm tự động. Để thu báo cáo theo kế hoạch, baocao lưu tên, mã tài khoản chat, đơn vị, vai trò của bạn, những gì bạn gửi và thời điểm gửi; dữ liệu được giữ khi bạn còn là đầu mối và trong thời hạn phải lưu báo cáo. Gõ /dulieu để xem; cần sửa hoặc xóa, hãy liên hệ { $contact }.
privacy-office = Văn phòng Sở
mydata-title = Dữ liệu baocao lưu về bạn:
mydata-account = • { $platform }: { $name }, mã tài khoản { $user }
mydata-unit = • Đơn vị: { $unit }; vai trò: { $role }; đăng ký lúc { $at }
mydata-submissions = { $count ->
    [0] • Chưa gửi báo cáo nào.
   *[other] • Đã gửi { $count } lần (báo cáo, tệp, ghi chú), lần gần nhất lúc { $last }.
}
mydata-sessions = • Phiên đăng nhập web đang mở: { $count }
mydata-why = baocao dùng dữ liệu này chỉ để thu báo cáo theo kế hoạch. Cần xuất, sửa hoặc xóa dữ liệu, hãy liên hệ { $contact }.
mydata-not-registered = Bạn chưa đăng ký nên baocao không lưu dữ liệu nào về bạn.
