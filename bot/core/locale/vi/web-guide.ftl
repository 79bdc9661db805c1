## The user guide on the web (/huong-dan)

web-guide-title = Hướng dẫn sử dụng
web-guide-contents = Mục lục
web-guide-missing = Bản cài đặt này không có tệp hướng dẫn sử dụng. Hãy báo Văn phòng Sở.
web-guide-picture-missing = Không có hình này trong hướng dẫn.
