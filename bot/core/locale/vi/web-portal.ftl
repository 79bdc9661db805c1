## The unit portal: a unit's reports, handing in files and short texts on the web

web-portal-file-type = Tệp «{ $name }» không thuộc loại được nhận. Cổng nhận: PDF, Word (DOC, DOCX), Excel (XLS, XLSX), ODT, ODS, ZIP và ảnh (JPG, PNG). Chưa lưu tệp nào của lần gửi này.
web-portal-file-lies = Tệp «{ $name }» mang đuôi { $kind } nhưng nội dung không phải tệp { $kind }. Hãy mở tệp để kiểm tra, lưu lại đúng định dạng rồi gửi lại. Chưa lưu tệp nào của lần gửi này.
web-portal-file-empty = Tệp «{ $name }» trống (0 byte). Hãy kiểm tra rồi gửi lại. Chưa lưu tệp nào của lần gửi này.
web-portal-file-too-big = Tệp «{ $name }» lớn hơn { $limit } MB, mức tối đa cho mỗi tệp. Hãy nén tệp (ZIP) hoặc chia nhỏ rồi gửi lại. Chưa lưu tệp nào của lần gửi này.
web-portal-upload-too-big = Lần gửi này lớn hơn mức cho phép (mỗi tệp đến { $limit } MB, tối đa { $files } tệp). Chưa lưu gì.
web-portal-file-no-name = Có tệp không có tên đọc được. Hãy đặt lại tên tệp rồi gửi lại. Chưa lưu tệp nào của lần gửi này.
web-portal-too-many-files = Mỗi lần chỉ gửi được tối đa { $limit } tệp. Hãy chia thành nhiều lần gửi. Chưa lưu gì.
web-portal-no-files = Anh/chị chưa chọn tệp nào. Hãy chọn tệp rồi bấm Gửi.
web-portal-upload-broken = Dữ liệu gửi lên không đầy đủ hoặc bị hỏng, có thể do đường truyền bị ngắt. Chưa lưu gì. Hãy tải lại trang rồi gửi lại.
web-portal-no-report = Không tìm thấy báo cáo này trong danh sách báo cáo đơn vị của anh/chị đang được nộp hoặc được sửa. Có thể đường liên kết sai, báo cáo thuộc đơn vị khác hoặc đã hết hạn sửa.
web-portal-contact-gone = Tài khoản của anh/chị không còn là đầu mối của đơn vị này. Hãy liên hệ Văn phòng Sở.
web-portal-text-empty = Nội dung báo cáo đang trống. Hãy nhập nội dung rồi gửi.
web-portal-text-too-long = Nội dung dài { $length } ký tự, vượt mức { $limit } ký tự. Hãy rút gọn, hoặc gửi thành tệp Word/PDF.
web-portal-forward-too-big = { $caption }
    Tệp lớn ({ $size } MB) nên không chuyển vào nhóm được; xem và tải tệp trên Bảng theo dõi.
web-portal-failed = Chưa lưu được vì lỗi máy chủ. Hãy thử lại sau ít phút; nếu vẫn lỗi, báo Văn phòng Sở.
