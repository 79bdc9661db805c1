## The web app: every page's frame

web-title = Báo cáo
web-nav-dashboard = Bảng theo dõi
web-nav-portal = Báo cáo của đơn vị
web-nav-guide = Hướng dẫn
web-sign-out = Đăng xuất
web-problem-title = Không thực hiện được
web-problem-home = Về trang chính
