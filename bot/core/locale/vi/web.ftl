## The web app: every page's frame

web-title = Báo cáo
web-nav-dashboard = Bảng theo dõi
web-nav-portal = Báo cáo của đơn vị
web-nav-guide = Hướng dẫn
web-sign-out = Đăng xuất
web-problem-title = Không thực hiện được
web-problem-home = Về trang chính
web-sign-in-needed = Anh/chị chưa đăng nhập, hoặc phiên đăng nhập đã hết. Hãy nhắn /web cho bot baocao để nhận đường liên kết đăng nhập mới.
web-forbidden = Trang này không dành cho vai trò của anh/chị.
web-csrf = Biểu mẫu đã cũ hoặc không hợp lệ. Hãy tải lại trang rồi làm lại.
web-not-found = Không có trang này. Có thể đường liên kết bị gõ sai hoặc đã cũ.
web-method-not-allowed = Trang này không nhận yêu cầu theo cách đó. Hãy quay lại trang trước và làm lại.
web-too-large = Nội dung gửi lên quá lớn.
web-request-refused = Yêu cầu không thực hiện được. Hãy quay lại trang trước và làm lại.
